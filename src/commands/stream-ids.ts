import { streamName } from '../events/stream-name.ts';

/**
 * Stream ids of the domain's aggregates. Each goes through `streamName`, so an
 * id that cannot name a stream (too long, a space) fails here with
 * InvalidStreamNameError before any command runs.
 */

/** `user-alice@example.test` for `sip:alice@example.test`. */
export function userStreamId(sipUri: string): string {
  if (!sipUri.startsWith('sip:')) throw new RangeError(`not a sip: URI: ${JSON.stringify(sipUri.slice(0, 80))}`);
  return streamName('user', sipUri.slice('sip:'.length));
}

export function imStreamId(sessionId: string): string {
  return streamName('im', sessionId);
}

export function conferenceStreamId(conferenceId: string): string {
  return streamName('conference', conferenceId);
}

/** A SIP Call-ID such as `a84b4c76e66710@pc33.example.test` fits the id rule (printable, ≤ 400, no spaces). */
export function callStreamId(sipCallId: string): string {
  return streamName('call', sipCallId);
}

export const VOICE_CONFIG_KINDS = ['dialplan', 'voicepolicy', 'pstnroute', 'gateway'] as const;
export type VoiceConfigKind = (typeof VOICE_CONFIG_KINDS)[number];

/** `voiceconfig-dialplan-Redmond`: one stream per configuration item. */
export function voiceConfigStreamId(kind: VoiceConfigKind, name: string): string {
  return streamName('voiceconfig', `${kind}-${name}`);
}
