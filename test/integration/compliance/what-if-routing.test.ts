import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ProposedRoutingConfigSchema } from '../../../src/compliance/what-if/proposed-routing-config.ts';
import { whatIfRouting } from '../../../src/compliance/what-if/what-if-routing.ts';
import { AsOfSnapshots } from '../../../src/projections/as-of/as-of-snapshots.ts';
import { PgliteClient } from '../../../src/storage/pglite-client.ts';
import { CallHarness, DOMAIN } from '../realtime/call-harness.ts';
import { ackOf, respond, type UdpPeer } from '../realtime/proxy-peers.ts';

const user = (name: string) => `sip:${name}@${DOMAIN}`;
const RULES_BEFORE = [
  { pattern: '^(\\d{4})$', translation: '+1425555$1' },
  { pattern: '^9(\\d{10})$', translation: '+1$1' },
];
/** The change: seven digits dialled locally now mean Redmond's area code. */
const RULES_AFTER = [...RULES_BEFORE, { pattern: '^(\\d{7})$', translation: '+1425$1' }];

/**
 * Calls placed through the real call router (UDP, digest auth, views fed by
 * the log) before and after a dial-plan change; what-if must give back for
 * each one exactly what its events recorded, and a different answer only
 * where the other configuration really decides differently.
 */
describe('what-if routing over calls recorded by the real call router across a dial-plan change', () => {
  const h = new CallHarness();
  let gw: UdpPeer;
  let bobPhone: UdpPeer;
  let client: PgliteClient;
  let snapshots: AsOfSnapshots;
  const calls: Record<string, string> = {};

  /** Places a call and finishes it: the phone or gateway it reaches (`reaches`) declines it with 603. */
  async function call(name: string, dialled: string, reaches: 'gateway' | 'phone' | null): Promise<void> {
    const uac = await h.peer();
    const invite = await h.invite(uac, 'alice', `sip:${dialled}@${DOMAIN};user=phone`);
    if (reaches !== null) {
      const peer = reaches === 'gateway' ? gw : bobPhone;
      const forked = await peer.inbox.request('INVITE', (r) => r.headers.get('Call-ID') === invite.headers.get('Call-ID'));
      peer.send(respond(peer, forked, 603, 'tag-x'));
    }
    const answer = await uac.inbox.response(reaches === null ? 404 : 603, 'INVITE');
    uac.send(ackOf(invite, answer));
    calls[name] = invite.headers.get('Call-ID') ?? assert.fail('no Call-ID');
    await h.router.recorder.idle();
    // Distinct milliseconds between a configuration change and the next call's decision.
    await sleep(5);
  }

  before(async () => {
    await h.start();
    [gw, bobPhone] = [await h.peer(), await h.peer()];
    const features = { forwarding: true, simultaneousRing: true, delegation: false, teamCall: false, callPark: false };
    await h.config('dialplan', 'Redmond', { type: 'DefineDialPlan', data: { name: 'Redmond', rules: RULES_BEFORE } });
    await h.config('voicepolicy', 'Standard', { type: 'DefineVoicePolicy', data: { name: 'Standard', pstnUsages: ['Local'], features } });
    await h.config('gateway', 'gw1', { type: 'DefineGateway', data: { name: 'gw1', address: `127.0.0.1:${gw.port}`, transport: 'udp' } });
    await h.config('pstnroute', 'US', {
      type: 'DefinePstnRoute',
      data: { name: 'US', priority: 1, numberPattern: '^\\+1\\d{10}$', pstnUsages: ['Local'], gateways: ['gw1'] },
    });
    await h.provision('alice', { lineUri: 'tel:+14255550001', voice: { dialPlan: 'Redmond', voicePolicy: 'Standard' } });
    await h.provision('bob', { lineUri: 'tel:+14255550002', voice: { voicePolicy: 'Standard' } });
    await h.register('bob', bobPhone);
    await h.settled();
    await sleep(5);

    await call('extensionBefore', '0002', 'phone');
    await call('pstnBefore', '94255551234', 'gateway');
    await call('sevenDigitsBefore', '5551234', null);

    await h.config('dialplan', 'Redmond', { type: 'UpdateDialPlan', data: { name: 'Redmond', rules: RULES_AFTER } });
    await h.settled();
    await sleep(5);
    await call('sevenDigitsAfter', '5551234', 'gateway');

    await h.user('bob', { type: 'SetForwarding', data: { immediate: 'tel:+14255559999' } });
    await h.settled();
    await sleep(5);
    await call('forwardedAfter', '0002', 'gateway');
    assert.equal(h.router.recorder.failures, 0);

    client = await PgliteClient.open();
    snapshots = new AsOfSnapshots({ store: h.store, client, interval: 4 });
  });

  after(async () => {
    await h.close();
    await client.close();
  });

  it('as of each call\'s own instant, the re-run decision is exactly what its events recorded (with and without snapshots)', async () => {
    for (const [name, callId] of Object.entries(calls)) {
      for (const options of [{}, { snapshots }]) {
        const result = await whatIfRouting(h.store, callId, options);
        assert.notEqual(result.recorded, null, `${name}: a decision is recorded`);
        assert.deepEqual(result.asOf, result.recorded, `${name}: reproduced field by field`);
        assert.equal(result.reproduced, true, name);
      }
    }
    assert.ok((await snapshots.count()) > 0, 'the snapshot path was exercised');
  });

  it('history differs across the change, and the current configuration re-decides the old call', async () => {
    const before = await whatIfRouting(h.store, calls['sevenDigitsBefore']!);
    assert.deepEqual(before.recorded?.outcome, { kind: 'refuse', status: 404, cause: 'no_route' });
    assert.equal(before.recorded?.normalizedNumber, '5551234');
    assert.equal(before.alternative.source, 'current');
    assert.equal(before.alternative.changed, true);
    assert.equal(before.alternative.decision.normalizedNumber, '+14255551234');
    assert.deepEqual(before.alternative.decision.outcome, {
      kind: 'route',
      route: { kind: 'pstn', number: '+14255551234', routeName: 'US', gateway: 'gw1', gateways: ['gw1'], voicePolicy: 'Standard', pstnUsage: 'Local' },
    });

    const afterChange = await whatIfRouting(h.store, calls['sevenDigitsAfter']!);
    assert.deepEqual(afterChange.recorded, afterChange.alternative.decision);
    assert.equal(afterChange.alternative.changed, false);

    // Bob forwarded later: the old extension call would now be forwarded to the PSTN under bob's policy.
    const extension = await whatIfRouting(h.store, calls['extensionBefore']!);
    assert.deepEqual(extension.recorded?.outcome, { kind: 'route', route: { kind: 'user', target: user('bob'), contacts: [`sip:bob@127.0.0.1:${bobPhone.port}`] } });
    assert.deepEqual(extension.alternative.decision.forwards, [{ reason: 'immediate', from: user('bob'), to: 'tel:+14255559999' }]);
    assert.equal(extension.alternative.changed, true);

    const forwarded = await whatIfRouting(h.store, calls['forwardedAfter']!);
    assert.deepEqual(forwarded.recorded?.forwards, [{ reason: 'immediate', from: user('bob'), to: 'tel:+14255559999' }]);
    assert.equal(forwarded.reproduced, true);
  });

  it('a proposed configuration (the voice-config API bodies) changes exactly the decisions it should', async () => {
    const revert = ProposedRoutingConfigSchema.parse({ dialPlans: { Redmond: { rules: RULES_BEFORE } } });
    const reverted = await whatIfRouting(h.store, calls['sevenDigitsAfter']!, { proposal: revert, snapshots });
    assert.equal(reverted.reproduced, true);
    assert.equal(reverted.alternative.source, 'proposed');
    assert.deepEqual(reverted.alternative.decision, { normalizedNumber: '5551234', forwards: [], outcome: { kind: 'refuse', status: 404, cause: 'no_route' } });
    assert.equal(reverted.alternative.changed, true);

    const unchanged = await whatIfRouting(h.store, calls['extensionBefore']!, { proposal: revert });
    assert.equal(unchanged.alternative.changed, false, 'the proposal does not touch four-digit dialling');

    const noRoute = ProposedRoutingConfigSchema.parse({ pstnRoutes: { US: null } });
    const blocked = await whatIfRouting(h.store, calls['pstnBefore']!, { proposal: noRoute });
    assert.deepEqual(blocked.alternative.decision.outcome, { kind: 'refuse', status: 403, cause: 'rejected' });

    const unforward = ProposedRoutingConfigSchema.parse({ users: { [user('bob')]: { forwarding: {} } } });
    const rung = await whatIfRouting(h.store, calls['forwardedAfter']!, { proposal: unforward });
    assert.deepEqual(rung.alternative.decision.forwards, []);
    assert.equal(rung.alternative.decision.outcome.kind, 'route');
  });

  it('a proposal that does not compile or has the wrong shape is refused with the paths of its issues', () => {
    const bad = ProposedRoutingConfigSchema.safeParse({
      dialPlans: { Redmond: { rules: [{ pattern: '([', translation: '$1' }] } },
      gateways: { gw9: { address: 'nowhere' } },
    });
    assert.equal(bad.success, false);
    const paths = bad.error?.issues.map((i) => i.path.join('.')) ?? [];
    assert.ok(paths.some((p) => p.startsWith('gateways.gw9')), paths.join(' '));
  });
});
