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
import { resolveRoutingInput, routingReader, routingView, type RoutingUser } from '../../../../src/projections/routing/index.ts';
import { planDialled, planForward, planUser, type Plan, type PlanContext } from '../../../../src/realtime/calls/call-plan.ts';
import { sourceAddressHop } from '../../../../src/realtime/calls/call-router.ts';
import { InMemoryEventStore } from '../../../support/in-memory-event-store.ts';
import { silentLogger } from '../../../support/silent-logger.ts';

const D = 'example.test';
const u = (name: string) => `sip:${name}@${D}`;
const context = { now: () => new Date().toISOString(), newId: () => randomBytes(8).toString('hex') };
const metadata = { correlationId: 't', causationId: null, actor: 't', node: 't' };

/** Routing decisions over the routing and location views, built from real events. */
describe('call plan', () => {
  const store = new InMemoryEventStore<DomainEvent>(domainCatalogue);
  const routing = new InMemoryView({ store, definition: routingView, logger: silentLogger });
  const location = new InMemoryView({ store, definition: locationView, logger: silentLogger });
  let last = 0n;
  const track = (positions: readonly bigint[] | undefined) => {
    const p = positions?.at(-1);
    if (p !== undefined && p > last) last = p;
  };
  const userCmd = async (name: string, command: UserCommand) =>
    track((await handleCommand({ store, decider: userDecider, streamId: userStreamId(u(name)), command, context, metadata })).appendResult?.positions);
  const config = async (kind: 'dialplan' | 'voicepolicy' | 'pstnroute' | 'gateway', name: string, command: VoiceConfigCommand) =>
    track((await handleCommand({ store, decider: voiceConfigDecider, streamId: voiceConfigStreamId(kind, name), command, context, metadata })).appendResult?.positions);
  const provision = (name: string, line: string, extra: { voicePolicy?: string } = {}) =>
    userCmd(name, { type: 'ProvisionUser', data: { sipUri: u(name), displayName: name, lineUri: line, enterpriseVoiceEnabled: true, ...extra } });
  const register = (name: string, port: number) =>
    userCmd(name, { type: 'RegisterEndpoint', data: { contact: `sip:${name}@192.0.2.1:${port}`, transport: 'udp', sourceAddress: `192.0.2.1:${port}`, expiresSeconds: 3600 } });

  let ctx: PlanContext;
  const who = (name: string): RoutingUser => ctx.routing.user(u(name)) ?? assert.fail(`${name} unknown`);
  const outcome = (plan: Plan) => (plan.outcome.kind === 'refuse' ? { refuse: plan.outcome.status, cause: plan.outcome.cause } : { leg: plan.outcome.leg.route });

  before(async () => {
    await Promise.all([routing.start(), location.start()]);
    const features = { forwarding: true, simultaneousRing: true, delegation: false, teamCall: false, callPark: false };
    await config('voicepolicy', 'Std', { type: 'DefineVoicePolicy', data: { name: 'Std', pstnUsages: ['Local'], features } });
    await config('gateway', 'gwA', { type: 'DefineGateway', data: { name: 'gwA', address: 'gw-a.example.test:5070', transport: 'tcp' } });
    await config('pstnroute', 'Any', {
      type: 'DefinePstnRoute',
      // gwGone is named but never defined: it is skipped, not dialled.
      data: { name: 'Any', priority: 1, numberPattern: '^\\+', pstnUsages: ['Local'], gateways: ['gwGone', 'gwA'] },
    });
    await provision('ann', 'tel:+15550001', { voicePolicy: 'Std' });
    await provision('ben', 'tel:+15550002', { voicePolicy: 'Std' });
    await provision('cat', 'tel:+15550003');
    await provision('dup1', 'tel:+15550009');
    await provision('dup2', 'tel:+15550009');
    await register('ben', 5001);
    await register('cat', 5003);
    await userCmd('ben', { type: 'SetSimultaneousRing', data: { targets: [u('cat'), 'tel:+15559999'] } });
    await userCmd('ben', { type: 'SetForwarding', data: { noAnswer: { afterSeconds: 20, target: 'tel:+15558888' } } });
    await Promise.all([routing.waitForPosition(last, 5000), location.waitForPosition(last, 5000)]);
    ctx = { routing: routingReader(routing), location: createLocationReader(location), now: new Date().toISOString(), nextHopOf: sourceAddressHop };
  });

  after(async () => {
    await Promise.all([routing.close(), location.close()]);
    await store.close();
  });

  it('a user rings on their contacts and simultaneous-ring targets, each with the no-answer timeout', () => {
    const plan = planUser(ctx, who('ben'), [u('ann')]);
    assert.equal(plan.outcome.kind, 'leg');
    if (plan.outcome.kind !== 'leg' || plan.outcome.leg.kind !== 'user') return;
    const leg = plan.outcome.leg;
    assert.deepEqual(
      leg.targets.map((t) => [t.uri, t.branchTimeoutMs]),
      [
        ['sip:ben@192.0.2.1:5001', 20_000],
        ['sip:cat@192.0.2.1:5003', 20_000],
        ['sip:+15559999@gw-a.example.test:5070;user=phone;transport=tcp', 20_000],
      ],
    );
    assert.deepEqual(leg.targets[0]?.nextHop, { kind: 'address', transport: 'udp', address: '192.0.2.1', port: 5001 });
    assert.deepEqual(leg.noAnswer, { afterSeconds: 20, target: 'tel:+15558888' });
  });

  it('a forward to a number uses the forwarding user\'s voice policy; undefined gateways are skipped', () => {
    const plan = planForward(ctx, 'no_answer', who('ben'), 'tel:+15558888', [u('ann')]);
    assert.deepEqual(plan.forwards, [{ reason: 'no_answer', from: u('ben'), to: 'tel:+15558888' }]);
    assert.deepEqual(outcome(plan), {
      leg: { kind: 'pstn', number: '+15558888', routeName: 'Any', gateway: 'gwA', gateways: ['gwA'], voicePolicy: 'Std', pstnUsage: 'Local' },
    });
  });

  it('a forward to a number without a voice policy is refused 403; a forward back to the caller is a loop (482)', () => {
    assert.deepEqual(outcome(planForward(ctx, 'busy', who('cat'), 'tel:+15558888', [u('ann')])), { refuse: 403, cause: 'rejected' });
    assert.deepEqual(outcome(planForward(ctx, 'busy', who('ben'), u('ann'), [u('ann')])), { refuse: 482, cause: 'failed' });
    assert.deepEqual(outcome(planForward(ctx, 'busy', who('ben'), 'tel:+15550001', [u('ann')])), { refuse: 482, cause: 'failed' });
  });

  it('dialled: a number two users hold is ambiguous (485); a SIP URI of nobody is 404; a user without contacts is 480', () => {
    const dial = (text: string) => {
      const input = resolveRoutingInput(ctx.routing, u('ann'), text);
      assert.equal(input.kind, 'resolved');
      return input.kind === 'resolved' ? outcome(planDialled(ctx, input)) : undefined;
    };
    assert.deepEqual(dial('+15550009'), { refuse: 485, cause: 'no_route' });
    assert.deepEqual(dial(u('nobody')), { refuse: 404, cause: 'no_route' });
    assert.deepEqual(dial(u('dup1')), { refuse: 480, cause: 'unreachable' });
    assert.deepEqual(dial('+15550003'), { leg: { kind: 'user', target: u('cat'), contacts: ['sip:cat@192.0.2.1:5003'] } });
  });
});
