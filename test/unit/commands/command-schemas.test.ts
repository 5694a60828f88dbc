import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallCommandSchema } from '../../../src/commands/call/call-commands.ts';
import { ConferenceCommandSchema } from '../../../src/commands/conference/conference-commands.ts';
import { ImCommandSchema } from '../../../src/commands/im/im-commands.ts';
import { UserCommandSchema } from '../../../src/commands/user/user-commands.ts';
import { VoiceConfigCommandSchema } from '../../../src/commands/voice-config/voice-config-commands.ts';

/** The API parses request bodies with these schemas; they must accept real commands and reject the rest. */
describe('command schemas', () => {
  it('accept well-formed commands of every aggregate', () => {
    assert.ok(UserCommandSchema.safeParse({ type: 'ProvisionUser', data: { sipUri: 'sip:alice@example.test', displayName: 'Alice' } }).success);
    assert.ok(UserCommandSchema.safeParse({ type: 'SweepExpired', data: {} }).success);
    assert.ok(ImCommandSchema.safeParse({ type: 'EndImSession', data: { reason: 'BYE' } }).success);
    assert.ok(ConferenceCommandSchema.safeParse({ type: 'JoinConference', data: { participant: 'sip:bob@example.test', role: 'attendee', modality: 'audio' } }).success);
    assert.ok(CallCommandSchema.safeParse({ type: 'EndCall', data: { cause: 'completed', sipStatus: 200 } }).success);
    assert.ok(VoiceConfigCommandSchema.safeParse({ type: 'DefineGateway', data: { name: 'gw-1', address: 'gw1.example.test:5067', transport: 'tls' } }).success);
  });

  it('reject unknown command types, unknown fields and out-of-range values', () => {
    assert.equal(UserCommandSchema.safeParse({ type: 'DropTables', data: {} }).success, false);
    assert.equal(UserCommandSchema.safeParse({ type: 'ProvisionUser', data: { sipUri: 'sip:alice@example.test', displayName: 'A', isAdmin: true } }).success, false);
    assert.equal(UserCommandSchema.safeParse({ type: 'ProvisionUser', data: { sipUri: 'sip:alice@example.test', displayName: 'A', maxEndpoints: 65 } }).success, false);
    assert.equal(UserCommandSchema.safeParse({ type: 'SetSimultaneousRing', data: { targets: ['sip:bob@example.test', 'sip:bob@example.test'] } }).success, false);
    assert.equal(ConferenceCommandSchema.safeParse({ type: 'ScheduleConference', data: { conferenceId: 'c1', organizer: 'sip:a@example.test', startsAt: 'soon', endsAt: 'later' } }).success, false);
  });

  it('refuse a PSTN route whose first gateway is not in its gateway list', () => {
    const route = { kind: 'pstn', number: '+14255550100', routeName: 'US', gateway: 'gw-9', gateways: ['gw-1'], voicePolicy: 'Standard', pstnUsage: 'Local' };
    assert.equal(CallCommandSchema.safeParse({ type: 'RouteCall', data: { route } }).success, false);
    assert.ok(CallCommandSchema.safeParse({ type: 'RouteCall', data: { route: { ...route, gateway: 'gw-1' } } }).success);
  });
});
