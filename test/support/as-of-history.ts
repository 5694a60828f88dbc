import { randomUUID } from 'node:crypto';
import { handleCommand } from '../../src/commands/command-handler.ts';
import type { CommandShape, Decider } from '../../src/commands/decider.ts';
import { callDecider } from '../../src/commands/call/call-decider.ts';
import type { CallCommand } from '../../src/commands/call/call-commands.ts';
import { callStreamId, userStreamId, voiceConfigStreamId, type VoiceConfigKind } from '../../src/commands/stream-ids.ts';
import { userDecider } from '../../src/commands/user/user-decider.ts';
import type { UserCommand } from '../../src/commands/user/user-commands.ts';
import { voiceConfigDecider } from '../../src/commands/voice-config/voice-config-decider.ts';
import type { VoiceConfigCommand } from '../../src/commands/voice-config/voice-config-commands.ts';
import type { DomainEvent } from '../../src/events/domain/domain-catalogue.ts';
import type { EventStore } from '../../src/events/event-store.ts';

export const ALICE = 'sip:alice@example.test';
export const BOB = 'sip:bob@example.test';
export const CAROL = 'sip:carol@example.test';
export const HISTORY_USERS = [ALICE, BOB, CAROL, 'sip:nobody@example.test'] as const;

/**
 * A few hundred events through the real deciders: users provisioned and one
 * deprovisioned in the middle of a call, registrations and refreshes,
 * presence, forwarding changes, calls (answered, ended, one left open) and
 * voice configuration items defined, updated and removed. `beforeEach` runs
 * before every command (a test's clock moves there); `clock` is the deciders' now.
 */
export async function seedAsOfHistory(
  store: EventStore<DomainEvent>,
  options: { readonly rounds?: number; readonly beforeEach?: (step: number) => void; readonly clock?: () => Date } = {},
): Promise<void> {
  const rounds = options.rounds ?? 30;
  const beforeEach = options.beforeEach ?? (() => {});
  let step = 0;
  const run = async <C extends CommandShape, E extends DomainEvent, S>(decider: Decider<C, E, S>, streamId: string, command: C) => {
    beforeEach(step++);
    const now = (options.clock?.() ?? new Date()).toISOString();
    const outcome = await handleCommand({
      store,
      decider,
      streamId,
      command,
      context: { now: () => now, newId: () => randomUUID() },
      metadata: { correlationId: 'as-of-history', causationId: null, actor: 'test', node: 'test' },
    });
    return outcome.events;
  };
  const user = (sipUri: string, command: UserCommand) => run(userDecider, userStreamId(sipUri), command);
  const call = (id: string, command: CallCommand) => run(callDecider, callStreamId(id), command);
  const config = (kind: VoiceConfigKind, name: string, command: VoiceConfigCommand) => run(voiceConfigDecider, voiceConfigStreamId(kind, name), command);
  const features = { forwarding: true, simultaneousRing: true, delegation: false, teamCall: false, callPark: false };

  await config('dialplan', 'Redmond', { type: 'DefineDialPlan', data: { name: 'Redmond', rules: [{ pattern: '^(\\d{4})$', translation: '+1425555$1' }] } });
  await config('voicepolicy', 'Standard', { type: 'DefineVoicePolicy', data: { name: 'Standard', pstnUsages: ['Local'], features } });
  await config('gateway', 'gw1', { type: 'DefineGateway', data: { name: 'gw1', address: '192.0.2.99:5060', transport: 'udp' } });
  await config('pstnroute', 'US', {
    type: 'DefinePstnRoute',
    data: { name: 'US', priority: 1, numberPattern: '^\\+1\\d{10}$', pstnUsages: ['Local'], gateways: ['gw1'] },
  });
  await user(ALICE, {
    type: 'ProvisionUser',
    data: { sipUri: ALICE, displayName: 'Alice', lineUri: 'tel:+14255550001', enterpriseVoiceEnabled: true, dialPlan: 'Redmond', voicePolicy: 'Standard' },
  });
  await user(BOB, { type: 'ProvisionUser', data: { sipUri: BOB, displayName: 'Bob', lineUri: 'tel:+14255550002', enterpriseVoiceEnabled: true } });
  await user(CAROL, { type: 'ProvisionUser', data: { sipUri: CAROL, displayName: 'Carol' } });
  const [registered] = await user(ALICE, {
    type: 'RegisterEndpoint',
    data: { contact: 'sip:alice@192.0.2.10:5060', transport: 'udp', sourceAddress: '192.0.2.10:5060', expiresSeconds: 3600 },
  });
  const endpointId = registered?.type === 'endpoint.registered.v1' ? registered.data.endpointId : '';
  await user(ALICE, { type: 'PublishPresence', data: { endpointId, state: { availability: 'away', note: 'lunch' }, expiresSeconds: 3600 } });
  const availabilities = ['busy', 'away', 'do_not_disturb', 'be_right_back', 'available'] as const;
  for (let i = 0; i < rounds; i++) {
    await user(BOB, {
      type: 'RegisterEndpoint',
      data: { contact: `sip:bob@192.0.2.20:${5060 + (i % 3)}`, transport: 'tcp', sourceAddress: '192.0.2.20:40000', expiresSeconds: 600 + i },
    });
    await user(ALICE, { type: 'SetUserState', data: { availability: availabilities[i % availabilities.length]!, note: `round ${i}` } });
    if (i % 4 === 0) await user(BOB, { type: 'SetForwarding', data: i % 8 === 0 ? { noAnswer: { afterSeconds: 20, target: ALICE } } : { busy: 'tel:+14255559999' } });
    if (i % 5 === 0) {
      const id = `call-${i}@example.test`;
      await call(id, { type: 'InitiateCall', data: { sipCallId: id, caller: ALICE, dialledString: '0002', normalizedNumber: '+14255550002' } });
      await call(id, { type: 'RouteCall', data: { route: { kind: 'user', target: BOB, contacts: ['sip:bob@192.0.2.20:5060'] } } });
      await call(id, { type: 'AnswerCall', data: { contact: 'sip:bob@192.0.2.20:5060' } });
      if (i % 10 === 0) await call(id, { type: 'EndCall', data: { cause: 'completed', sipStatus: 200 } });
    }
    if (i === Math.floor(rounds / 2)) {
      const id = 'carol-call@example.test';
      await call(id, { type: 'InitiateCall', data: { sipCallId: id, caller: CAROL, dialledString: ALICE } });
      await call(id, { type: 'RouteCall', data: { route: { kind: 'user', target: ALICE, contacts: ['sip:alice@192.0.2.10:5060'] } } });
      await call(id, { type: 'AnswerCall', data: { contact: 'sip:alice@192.0.2.10:5060' } });
      await user(CAROL, { type: 'DeprovisionUser', data: {} });
      await config('dialplan', 'Redmond', {
        type: 'UpdateDialPlan',
        data: { name: 'Redmond', rules: [{ pattern: '^(\\d{4})$', translation: '+1425555$1' }, { pattern: '^(\\d{7})$', translation: '+1425$1' }] },
      });
      await config('gateway', 'gw2', { type: 'DefineGateway', data: { name: 'gw2', address: '192.0.2.98:5060', transport: 'tcp' } });
    }
    if (i === rounds - 3) await config('gateway', 'gw2', { type: 'RemoveGateway', data: { name: 'gw2' } });
  }
}
