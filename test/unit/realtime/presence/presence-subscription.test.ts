import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AggregatedPresence } from '../../../../src/projections/presence/presence-inputs.ts';
import type { PresenceReader } from '../../../../src/projections/presence/presence-reader.ts';
import type { OutboundOutcome, OutboundRequestSpec } from '../../../../src/realtime/engine/signaling-engine.ts';
import { parsePidf } from '../../../../src/realtime/presence/pidf.ts';
import { subscriptionIdOf } from '../../../../src/realtime/presence/presence-notifier.ts';
import { PresenceSubscription, type SubscriptionDialog } from '../../../../src/realtime/presence/presence-subscription.ts';
import { EMPTY_BODY, Headers } from '../../../../src/realtime/sip/message.ts';
import { silentLogger } from '../../../support/silent-logger.ts';

/** A sender whose NOTIFYs wait until the test answers them. */
class FakeSender {
  readonly sent: Array<{ spec: OutboundRequestSpec; answer: (outcome: OutboundOutcome) => void }> = [];
  sendRequest(spec: OutboundRequestSpec) {
    let answer!: (outcome: OutboundOutcome) => void;
    const outcome = new Promise<OutboundOutcome>((resolve) => (answer = resolve));
    this.sent.push({ spec, answer });
    return { onProvisional: () => {}, outcome };
  }
  header(i: number, name: string): string | undefined {
    return Headers.of(this.sent[i]?.spec.headers ?? []).get(name);
  }
  answer(i: number, status: number): void {
    this.sent[i]?.answer({ kind: 'final', response: { kind: 'response', version: 'SIP/2.0', status, reason: 'x', headers: Headers.of([]), body: EMPTY_BODY } });
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

const dialog: SubscriptionDialog = {
  subscriptionId: 'sub-1',
  presentity: 'sip:alice@example.test',
  watcher: 'sip:bob@example.test',
  callId: 'call-1',
  localTag: 'ours',
  localIdentity: '<sip:alice@example.test>;tag=ours',
  remoteIdentity: '<sip:bob@example.test>;tag=theirs',
  eventId: '5',
  routeSet: ['<sip:proxy.example.test;lr>'],
  localContact: '<sip:presence@192.0.2.1>',
};

function setup() {
  let current: AggregatedPresence = { availability: 'available', code: 3500, activity: null, note: null, source: 'registration' };
  const reader: PresenceReader = { presenceOf: () => current, presenceValidThrough: () => null, watchersOf: () => [], isInCall: () => false, blockedWatchersOf: () => [] };
  const sender = new FakeSender();
  const failures: string[] = [];
  const now = new Date('2026-01-01T00:00:00Z');
  const subscription = new PresenceSubscription({
    dialog,
    remoteTarget: 'sip:bob@198.51.100.7:5062',
    flow: { transport: 'udp', address: '198.51.100.7', port: 5062, id: 'udp:198.51.100.7:5062' },
    expiresAt: new Date(now.getTime() + 600_000),
    sender,
    presence: reader,
    now: () => now,
    onFailed: (_s, why) => failures.push(why),
    logger: silentLogger,
  });
  return { subscription, sender, failures, set: (p: Partial<AggregatedPresence>) => (current = { ...current, ...p }) };
}

describe('PresenceSubscription', () => {
  it('sends NOTIFY in the dialog: tags, Call-ID, rising CSeq, Route set, Event id, state, PIDF, through the flow', async () => {
    const { subscription, sender, set } = setup();
    subscription.notify(true);
    assert.equal(sender.sent.length, 1);
    const first = sender.sent[0]!.spec;
    assert.equal(first.method, 'NOTIFY');
    assert.equal(first.uri, 'sip:bob@198.51.100.7:5062');
    assert.deepEqual(first.nextHop, { kind: 'flow', flow: { transport: 'udp', address: '198.51.100.7', port: 5062, id: 'udp:198.51.100.7:5062' } });
    assert.equal(sender.header(0, 'From'), '<sip:alice@example.test>;tag=ours');
    assert.equal(sender.header(0, 'To'), '<sip:bob@example.test>;tag=theirs');
    assert.equal(sender.header(0, 'Call-ID'), 'call-1');
    assert.equal(sender.header(0, 'CSeq'), '1 NOTIFY');
    assert.equal(sender.header(0, 'Route'), '<sip:proxy.example.test;lr>');
    assert.equal(sender.header(0, 'Event'), 'presence;id=5');
    assert.equal(sender.header(0, 'Subscription-State'), 'active;expires=600');
    const body = parsePidf(String(first.body));
    assert.ok(body.ok);
    assert.equal(body.value.availability, 3500);
    sender.answer(0, 200);
    await tick();
    set({ availability: 'busy', code: 6500 });
    subscription.notify(false);
    assert.equal(sender.header(1, 'CSeq'), '2 NOTIFY');
  });

  it('keeps one NOTIFY in flight; changes meanwhile collapse into one NOTIFY of the latest state', async () => {
    const { subscription, sender, set } = setup();
    subscription.notify(true);
    set({ availability: 'busy', code: 6500 });
    subscription.notify(false);
    set({ availability: 'away', code: 15500 });
    subscription.notify(false);
    assert.equal(sender.sent.length, 1, 'nothing new before the first is answered (RFC 6665 §4.2.2)');
    sender.answer(0, 200);
    await tick();
    await tick();
    assert.equal(sender.sent.length, 2);
    const body = parsePidf(String(sender.sent[1]!.spec.body));
    assert.ok(body.ok);
    assert.equal(body.value.availability, 15500);
  });

  it('does not repeat an unchanged state unless forced (a refresh)', async () => {
    const { subscription, sender } = setup();
    subscription.notify(true);
    sender.answer(0, 200);
    await tick();
    subscription.notify(false);
    assert.equal(sender.sent.length, 1);
    subscription.notify(true);
    assert.equal(sender.sent.length, 2);
  });

  it('a non-2xx answer ends it: onFailed once, and no NOTIFY after', async () => {
    const { subscription, sender, failures, set } = setup();
    subscription.notify(true);
    sender.answer(0, 481);
    await tick();
    await tick();
    assert.deepEqual(failures, ['481 x']);
    assert.equal(subscription.terminated, true);
    set({ availability: 'busy', code: 6500 });
    subscription.notify(true);
    assert.equal(sender.sent.length, 1);
  });

  it('terminate waits for the NOTIFY in flight, then sends terminated with the state; idempotent', async () => {
    const { subscription, sender } = setup();
    subscription.notify(true);
    const done = Promise.all([subscription.terminate('timeout'), subscription.terminate('giveup')]);
    await tick();
    assert.equal(sender.sent.length, 1);
    sender.answer(0, 200);
    await tick();
    await tick();
    assert.equal(sender.sent.length, 2);
    assert.equal(sender.header(1, 'Subscription-State'), 'terminated;reason=timeout');
    assert.ok(String(sender.sent[1]!.spec.body).includes('sip:alice@example.test'));
    sender.answer(1, 200);
    await done;
  });
});

describe('subscriptionIdOf', () => {
  it('is the dialog id, readable when it fits, hashed when a long Call-ID would not', () => {
    assert.equal(subscriptionIdOf('c@h', 'theirs', 'ours', undefined), 'ours;theirs;c@h');
    assert.equal(subscriptionIdOf('c@h', 'theirs', 'ours', '7'), 'ours;theirs;c@h;7');
    const long = subscriptionIdOf('x'.repeat(600), 'theirs', 'ours', undefined);
    assert.match(long, /^sha256-[0-9a-f]{64}$/);
    assert.equal(long, subscriptionIdOf('x'.repeat(600), 'theirs', 'ours', undefined), 'stable across refreshes');
  });
});
