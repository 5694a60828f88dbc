/**
 * One valid event of every type that has personal fields, with values that
 * are easy to look for in stored bytes (`PLAINTEXTS`). Shared by the privacy
 * unit and integration tests.
 */
const AT = '2026-11-26T09:00:00.000Z';
const LATER = '2026-11-26T10:00:00.000Z';
export const ALICE = 'sip:alice@example.test';
export const BOB = 'sip:bob@example.test';

const contact = 'sip:alice@203.0.113.7:5062;transport=tcp';

export const PERSONAL_SAMPLES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'directory.user_provisioned.v1': {
    sipUri: ALICE,
    displayName: 'Alice Liddell',
    lineUri: 'tel:+15550100001',
    enterpriseVoiceEnabled: true,
    dialPlan: null,
    voicePolicy: null,
    maxEndpoints: 8,
    at: AT,
  },
  'directory.user_updated.v1': {
    sipUri: ALICE,
    displayName: 'Alice P. Liddell',
    lineUri: 'tel:+15550100001',
    enterpriseVoiceEnabled: true,
    dialPlan: null,
    voicePolicy: null,
    maxEndpoints: 8,
    at: AT,
  },
  'directory.user_deprovisioned.v1': { sipUri: ALICE, reason: 'moved to Wonderland Ltd', at: AT },
  'endpoint.registered.v1': {
    sipUri: ALICE,
    endpointId: 'ep-1',
    contact,
    transport: 'tcp',
    sourceAddress: '203.0.113.7:5062',
    userAgent: 'RabbitHole Phone 4.2',
    expiresAt: LATER,
    at: AT,
    instanceId: '<urn:uuid:6f1c0a2e-0000-4000-8000-00000000a11c>',
  },
  'endpoint.refreshed.v1': {
    sipUri: ALICE,
    endpointId: 'ep-1',
    contact,
    transport: 'tcp',
    sourceAddress: '203.0.113.7:5062',
    userAgent: 'RabbitHole Phone 4.2',
    expiresAt: LATER,
    at: AT,
  },
  'endpoint.unregistered.v1': { sipUri: ALICE, endpointId: 'ep-1', contact, at: AT },
  'endpoint.expired.v1': { sipUri: ALICE, endpointId: 'ep-1', contact, expiredAt: AT, at: AT },
  'presence.published.v1': {
    sipUri: ALICE,
    endpointId: 'ep-1',
    availability: 'busy',
    code: 6500,
    activity: null,
    note: 'At the dentist until three',
    etag: 'etag-1',
    expiresAt: LATER,
    at: AT,
  },
  'presence.user_state_set.v1': { sipUri: ALICE, availability: 'away', code: 15500, note: 'Visiting grandma', until: null, at: AT },
  'voice.forwarding_set.v1': {
    sipUri: ALICE,
    immediate: 'tel:+15557654321',
    noAnswer: { afterSeconds: 20, target: 'tel:+15557654322' },
    busy: null,
    unreachable: 'tel:+15557654323',
    at: AT,
  },
  'voice.simultaneous_ring_set.v1': { sipUri: ALICE, targets: ['tel:+15557654324'], at: AT },
  'im.message_sent.v1': {
    sessionId: 'im-session-1',
    messageId: 'msg-1',
    sender: ALICE,
    recipients: [BOB],
    contentType: 'text/plain',
    body: 'the tarts are in the pantry',
    archived: true,
    at: AT,
  },
  'conference.scheduled.v1': {
    conferenceId: 'conf-1',
    at: AT,
    organizer: ALICE,
    subject: 'Tea party with the Hatter',
    startsAt: LATER,
    endsAt: '2026-11-26T11:00:00.000Z',
    access: 'open',
    pin: null,
  },
  'call.initiated.v1': { sipCallId: 'call-1@example.test', at: AT, caller: ALICE, dialledString: '+15557654325', normalizedNumber: '+15557654325' },
  'call.routed.v1': {
    sipCallId: 'call-1@example.test',
    at: AT,
    route: { kind: 'user', target: BOB, contacts: ['sip:bob@198.51.100.9:5060'] },
  },
  'call.leg_added.v1': {
    sipCallId: 'call-1@example.test',
    at: AT,
    reason: 'delegate',
    onBehalfOf: BOB,
    member: ALICE,
    contacts: ['sip:alice@192.0.2.77:5070'],
  },
};

/** Values in the samples above that must never appear in stored bytes. */
export const PLAINTEXTS = [
  'Alice Liddell',
  'Alice P. Liddell',
  '+15550100001',
  'Wonderland',
  '203.0.113.7',
  'RabbitHole',
  'urn:uuid:6f1c0a2e',
  'dentist',
  'grandma',
  '+1555765432',
  'tarts are in the pantry',
  'Hatter',
  '198.51.100.9',
  '192.0.2.77',
];
