import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { handleCommand } from '../../../../src/commands/command-handler.ts';
import { userStreamId, voiceConfigStreamId } from '../../../../src/commands/stream-ids.ts';
import type { UserCommand } from '../../../../src/commands/user/user-commands.ts';
import { userDecider } from '../../../../src/commands/user/user-decider.ts';
import type { VoiceConfigCommand } from '../../../../src/commands/voice-config/voice-config-commands.ts';
import { voiceConfigDecider } from '../../../../src/commands/voice-config/voice-config-decider.ts';
import { domainCatalogue, type DomainEvent } from '../../../../src/events/domain/domain-catalogue.ts';
import { InMemoryView } from '../../../../src/projections/framework/index.ts';
import { createLocationReader, locationView } from '../../../../src/projections/location/index.ts';
import { routingReader, routingView, type RoutingUser } from '../../../../src/projections/routing/index.ts';
import { planUser, type Plan, type PlanContext } from '../../../../src/realtime/calls/call-plan.ts';
import { sourceAddressHop } from '../../../../src/realtime/calls/call-router.ts';
import { InMemoryEventStore } from '../../../support/in-memory-event-store.ts';
import { silentLogger } from '../../../support/silent-logger.ts';

const D = 'example.test';
const u = (name: string) => `sip:${name}@${D}`;
const contact = (name: string, port: number) => `sip:${name}@192.0.2.1:${port}`;
const context = { now: () => new Date().toISOString(), newId: () => randomBytes(8).toString('hex') };
const metadata = { correlationId: 't', causationId: null, actor: 't', node: 't' };

/** Team-call members and delegates in a routing decision, over views built from real events. */
describe('call plan: team call and delegates', () => {
  const store = new InMemoryEventStore<DomainEvent>(domainCatalogue);
  const routing = new InMemoryView({ store, definition: routingView, logger: silentLogger });
  const location = new InMemoryView({ store, definition: locationView, logger: silentLogger });
  let last = 0n;
  const userCmd = async (name: string, command: UserCommand) => {
    const p = (await handleCommand({ store, decider: userDecider, streamId: userStreamId(u(name)), command, context, metadata })).appendResult?.positions.at(-1);
    if (p !== undefined && p > last) last = p;
  };
  const config = async (kind: 'gateway', name: string, command: VoiceConfigCommand) => {
    const p = (await handleCommand({ store, decider: voiceConfigDecider, streamId: voiceConfigStreamId(kind, name), command, context, metadata })).appendResult?.positions.at(-1);
    if (p !== undefined && p > last) last = p;
  };
  const provision = (name: string, line: string) =>
    userCmd(name, { type: 'ProvisionUser', data: { sipUri: u(name), displayName: name, lineUri: line, enterpriseVoiceEnabled: true } });
  const register = (name: string, port: number) =>
    userCmd(name, { type: 'RegisterEndpoint', data: { contact: contact(name, port), transport: 'udp', sourceAddress: `192.0.2.1:${port}`, expiresSeconds: 3600 } });

  let ctx: PlanContext;
  const who = (name: string): RoutingUser => ctx.routing.user(u(name)) ?? assert.fail(`${name} unknown`);
  const userLeg = (plan: Plan) => {
    if (plan.outcome.kind !== 'leg' || plan.outcome.leg.kind !== 'user') return assert.fail(`not a user leg: ${JSON.stringify(plan.outcome)}`);
    return plan.outcome.leg;
  };

  before(async () => {
    await Promise.all([routing.start(), location.start()]);
    for (const [i, name] of ['boss', 'tim', 'tia', 'del', 'off', 'slow', 'ann'].entries()) await provision(name, `tel:+1555000${i + 10}`);
    for (const [name, port] of [['boss', 5001], ['tim', 5002], ['tia', 5003], ['del', 5004], ['slow', 5005], ['ann', 5006]] as const) await register(name, port);
    // tia is both in the team (delayed) and a delegate; off has no live contact; ann will be the caller.
    await userCmd('boss', { type: 'SetTeamCall', data: { members: [u('tim'), u('tia'), u('off'), u('ann'), u('nobody')], ringAfterSeconds: 10 } });
    await userCmd('boss', { type: 'SetDelegates', data: { delegates: [u('tia'), u('del')] } });
    await userCmd('boss', { type: 'SetForwarding', data: { noAnswer: { afterSeconds: 20, target: u('ann') } } });
    // slow's team is delayed past the no-answer forward: it can never ring.
    await userCmd('slow', { type: 'SetTeamCall', data: { members: [u('tim')], ringAfterSeconds: 25 } });
    await userCmd('slow', { type: 'SetForwarding', data: { noAnswer: { afterSeconds: 20, target: u('ann') } } });
    await config('gateway', 'gwIn', { type: 'DefineGateway', data: { name: 'gwIn', address: '192.0.2.50:5060', transport: 'udp' } });
    await Promise.all([routing.waitForPosition(last, 5000), location.waitForPosition(last, 5000)]);
    ctx = { routing: routingReader(routing), location: createLocationReader(location), now: new Date().toISOString(), nextHopOf: sourceAddressHop };
  });

  after(async () => {
    await Promise.all([routing.close(), location.close()]);
    await store.close();
  });

  it('delegates ring at once, the team after its delay; the caller, the unreachable and the unknown are left out; each member once', () => {
    const leg = userLeg(planUser(ctx, who('boss'), [u('ann')]));
    assert.deepEqual(leg.route, { kind: 'user', target: u('boss'), contacts: [contact('boss', 5001), contact('tia', 5003), contact('del', 5004)] });
    assert.deepEqual(
      leg.extras.map((e) => ({ reason: e.reason, member: e.member, delayMs: e.delayMs, uris: e.targets.map((t) => t.uri), timeout: e.targets.map((t) => t.branchTimeoutMs) })),
      [
        { reason: 'delegate', member: u('tia'), delayMs: 0, uris: [contact('tia', 5003)], timeout: [20_000] },
        { reason: 'delegate', member: u('del'), delayMs: 0, uris: [contact('del', 5004)], timeout: [20_000] },
        // Rings from 10 s to the forward at 20 s.
        { reason: 'team_call', member: u('tim'), delayMs: 10_000, uris: [contact('tim', 5002)], timeout: [10_000] },
      ],
    );
    assert.deepEqual(leg.targets.map((t) => t.branchTimeoutMs), [20_000, 20_000, 20_000]);
  });

  it('a team delayed past the no-answer forward never rings', () => {
    const leg = userLeg(planUser(ctx, who('slow'), [u('ann')]));
    assert.deepEqual(leg.extras, []);
    assert.deepEqual(leg.route.contacts, [contact('slow', 5005)]);
  });

  it('gatewayAt finds a gateway by transport, IP and port, all three', () => {
    assert.equal(ctx.routing.gatewayAt('udp', '192.0.2.50', 5060)?.name, 'gwIn');
    assert.equal(ctx.routing.gatewayAt('tcp', '192.0.2.50', 5060), null);
    assert.equal(ctx.routing.gatewayAt('udp', '192.0.2.50', 5061), null);
    assert.equal(ctx.routing.gatewayAt('udp', '192.0.2.51', 5060), null);
  });
});
