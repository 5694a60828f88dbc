import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handleCommand } from '../../../src/commands/command-handler.ts';
import type { CommandShape, Decider } from '../../../src/commands/decider.ts';
import { callDecider } from '../../../src/commands/call/call-decider.ts';
import type { CallCommand } from '../../../src/commands/call/call-commands.ts';
import { callStreamId, userStreamId } from '../../../src/commands/stream-ids.ts';
import { userDecider } from '../../../src/commands/user/user-decider.ts';
import type { UserCommand } from '../../../src/commands/user/user-commands.ts';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { UnknownUserAtInstantError, userAsOf } from '../../../src/projections/as-of/index.ts';
import { InMemoryView } from '../../../src/projections/framework/index.ts';
import { createLocationReader, locationView } from '../../../src/projections/location/index.ts';
import { createPresenceReader, presenceView } from '../../../src/projections/presence/index.ts';
import { InMemoryEventStore } from '../../support/in-memory-event-store.ts';
import { silentLogger } from '../../support/silent-logger.ts';

const ALICE = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';

/** A log whose events are recorded at the instant the test sets, so `--at` cuts at known places. */
class TimedLog {
  #now = '2025-03-03T09:00:00.000Z';
  #ids = 0;
  readonly store = new InMemoryEventStore<DomainEvent>(domainCatalogue, { clock: () => new Date(this.#now) });

  at(instant: string): this {
    this.#now = instant;
    return this;
  }

  user(sipUri: string, command: UserCommand) {
    return this.#run(userDecider, userStreamId(sipUri), command);
  }

  call(sipCallId: string, command: CallCommand) {
    return this.#run(callDecider, callStreamId(sipCallId), command);
  }

  async #run<C extends CommandShape, E extends DomainEvent, S>(decider: Decider<C, E, S>, streamId: string, command: C) {
    const now = this.#now;
    const outcome = await handleCommand({
      store: this.store,
      decider,
      streamId,
      command,
      context: { now: () => now, newId: () => `id-${++this.#ids}` },
      metadata: { correlationId: 'as-of-test', causationId: null, actor: 'test', node: 'test' },
    });
    return outcome.events;
  }
}

async function history(): Promise<TimedLog> {
  const log = new TimedLog();
  log.at('2025-03-03T09:00:00.000Z');
  await log.user(ALICE, { type: 'ProvisionUser', data: { sipUri: ALICE, displayName: 'Alice', lineUri: 'tel:+15550100001', enterpriseVoiceEnabled: true } });
  await log.user(BOB, { type: 'ProvisionUser', data: { sipUri: BOB, displayName: 'Bob' } });
  log.at('2025-03-03T09:05:00.000Z');
  const [registered] = await log.user(ALICE, {
    type: 'RegisterEndpoint',
    data: { contact: 'sip:alice@192.0.2.10:5060', transport: 'udp', sourceAddress: '192.0.2.10:5060', expiresSeconds: 3600 },
  });
  assert.equal(registered?.type, 'endpoint.registered.v1');
  const endpointId = registered.type === 'endpoint.registered.v1' ? registered.data.endpointId : '';
  await log.user(BOB, {
    type: 'RegisterEndpoint',
    data: { contact: 'sip:bob@192.0.2.20:5060', transport: 'tcp', sourceAddress: '192.0.2.20:40000', expiresSeconds: 3600 },
  });
  log.at('2025-03-03T09:10:00.000Z');
  await log.user(ALICE, { type: 'PublishPresence', data: { endpointId, state: { availability: 'away', note: 'lunch' }, expiresSeconds: 3600 } });
  await log.user(ALICE, { type: 'SetForwarding', data: { noAnswer: { afterSeconds: 20, target: BOB } } });
  return log;
}

describe('userAsOf: a user as the log knew them at an instant', () => {
  it('before provisioning the user is unknown (404), nothing is invented', async () => {
    const log = await history();
    await assert.rejects(userAsOf(log.store, ALICE, '2025-03-03T08:59:59.000Z'), UnknownUserAtInstantError);
    await assert.rejects(userAsOf(log.store, 'sip:nobody@example.test', '2025-03-03T12:00:00.000Z'), UnknownUserAtInstantError);
  });

  it('just after provisioning: offline, no registrations, no forwarding', async () => {
    const log = await history();
    const result = await userAsOf(log.store, ALICE, '2025-03-03T09:01:00.000Z');
    assert.equal(result.state.provisioned, true);
    assert.equal(result.state.lineUri, 'tel:+15550100001');
    assert.equal(result.state.presence.availability, 'offline');
    assert.deepEqual(result.state.registrations, []);
    assert.deepEqual(result.state.forwarding, { immediate: null, noAnswer: null, busy: null, unreachable: null });
    assert.deepEqual(result.state.calls, []);
    assert.equal(result.position, 2n, 'only the two provisioning events were folded');
  });

  it('after registering and publishing: the endpoint, the published state and the forwarding rule', async () => {
    const log = await history();
    const registered = await userAsOf(log.store, ALICE, '2025-03-03T09:06:00.000Z');
    assert.equal(registered.state.presence.availability, 'available', 'registered but not yet published');
    assert.deepEqual(registered.state.registrations.map((r) => r.contact), ['sip:alice@192.0.2.10:5060']);

    const later = await userAsOf(log.store, ALICE, '2025-03-03T09:30:00.000Z');
    assert.equal(later.state.presence.availability, 'away');
    assert.equal(later.state.presence.note, 'lunch');
    assert.deepEqual(later.state.forwarding, { immediate: null, noAnswer: { afterSeconds: 20, target: BOB }, busy: null, unreachable: null });
  });

  it('a registration past its expiry is not shown at a later instant, even without an expiry event', async () => {
    const log = await history();
    const result = await userAsOf(log.store, ALICE, '2025-03-03T11:00:00.000Z');
    assert.deepEqual(result.state.registrations, []);
    assert.equal(result.state.presence.availability, 'offline');
  });

  it('a call in progress at the instant makes the user busy and is listed; after it ended it is gone', async () => {
    const log = await history();
    const CALL = 'call-1@example.test';
    log.at('2025-03-03T09:20:00.000Z');
    await log.call(CALL, { type: 'InitiateCall', data: { sipCallId: CALL, caller: ALICE, dialledString: BOB } });
    await log.call(CALL, { type: 'RouteCall', data: { route: { kind: 'user', target: BOB, contacts: ['sip:bob@192.0.2.20:5060'] } } });
    log.at('2025-03-03T09:20:05.000Z');
    await log.call(CALL, { type: 'AnswerCall', data: { contact: 'sip:bob@192.0.2.20:5060' } });
    log.at('2025-03-03T09:25:00.000Z');
    await log.call(CALL, { type: 'EndCall', data: { cause: 'completed', sipStatus: 200 } });

    const ringing = await userAsOf(log.store, ALICE, '2025-03-03T09:20:01.000Z');
    assert.deepEqual(ringing.state.calls.map((c) => [c.sipCallId, c.answered]), [[CALL, false]]);
    assert.equal(ringing.state.presence.availability, 'away', 'a call not yet answered does not make anyone busy');

    const during = await userAsOf(log.store, BOB, '2025-03-03T09:21:00.000Z');
    assert.equal(during.state.presence.availability, 'busy');
    assert.deepEqual(during.state.calls, [{ sipCallId: CALL, caller: ALICE, callee: BOB, answered: true, parties: [ALICE, BOB] }]);

    const after = await userAsOf(log.store, BOB, '2025-03-03T09:26:00.000Z');
    assert.deepEqual(after.state.calls, []);
    assert.equal(after.state.presence.availability, 'available');
  });

  it('at the head of the log it equals what the live views show', async () => {
    const log = await history();
    const presence = new InMemoryView({ store: log.store, definition: presenceView, logger: silentLogger });
    const location = new InMemoryView({ store: log.store, definition: locationView, logger: silentLogger });
    await presence.start();
    await location.start();
    try {
      const head = await log.store.headPosition();
      await presence.waitForPosition(head, 5_000);
      await location.waitForPosition(head, 5_000);
      const at = '2025-03-03T09:30:00.000Z';
      const asOf = await userAsOf(log.store, ALICE, at);
      assert.equal(asOf.position, head);
      assert.deepEqual(asOf.state.presence, createPresenceReader(presence).presenceOf(ALICE, at));
      assert.deepEqual(
        asOf.state.registrations.map((r) => r.contact),
        createLocationReader(location).liveContacts(ALICE, at).map((b) => b.contact),
      );
    } finally {
      await presence.close();
      await location.close();
    }
  });
});
