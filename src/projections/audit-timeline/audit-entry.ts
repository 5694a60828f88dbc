import type { CallRoute } from '../../events/domain/call-events.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';

/**
 * What the audit timeline records about one event: a compact summary and the
 * users it names, each with the part they played. Pure, so it is tested
 * without a database and a rebuild repeats it exactly.
 *
 * The summary is built field by field (not copied from the event) so that a
 * field added to an event later never leaks into the audit trail unread: IM
 * bodies, HA1 digests and conference PINs are never written.
 */

/** Voice configuration (dial plans, policies, routes, gateways) concerns no user, so it is not audited here. */
export type AuditedEvent = Exclude<DomainEvent, { type: `voice.${'dial_plan' | 'policy' | 'pstn_route' | 'gateway'}_${string}` }>;
export type AuditedEventType = AuditedEvent['type'];

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type AuditSummary = { readonly [key: string]: JsonValue };

/**
 * A call, conference or IM session whose events concern more users than they
 * name: every event of a call goes to every party seen so far (caller, callee,
 * forward and transfer targets), every conference event to the organizer, the
 * end of an IM session to all its participants. The projection keeps those
 * parties in `audit_parties`.
 */
export interface AuditContext {
  readonly kind: 'call' | 'conference' | 'im';
  readonly id: string;
  /** Give a row to every party remembered for this context, not only to those the event names. */
  readonly includeParties: boolean;
  /** Parties to remember for the context's later events (the first role recorded is kept). */
  readonly remember: readonly (readonly [sipUri: string, role: string])[];
  /** The last event of the context: its parties can be forgotten. */
  readonly closes: boolean;
}

export interface AuditEntry {
  readonly summary: AuditSummary;
  /** Users the event names, with their role; tel: targets and other non-users are left out. Same user may repeat. */
  readonly parties: readonly (readonly [sipUri: string, role: string])[];
  readonly context: AuditContext | null;
}

type Party = readonly [string, string];

/** Only `sip:` addresses are users; a call target may be a `tel:` number. */
function users(parties: readonly Party[]): Party[] {
  return parties.filter(([uri]) => uri.startsWith('sip:'));
}

function routeSummary(route: CallRoute): AuditSummary {
  switch (route.kind) {
    case 'user':
      return { kind: 'user', target: route.target, contacts: route.contacts.length };
    case 'pstn':
      return {
        kind: 'pstn',
        number: route.number,
        routeName: route.routeName,
        gateway: route.gateway,
        voicePolicy: route.voicePolicy,
        pstnUsage: route.pstnUsage,
      };
    default: {
      const unreachable: never = route;
      throw new Error(`unknown route ${JSON.stringify(unreachable)}`);
    }
  }
}

function ownEvent(sipUri: string, summary: AuditSummary): AuditEntry {
  return { summary, parties: [[sipUri, 'user']], context: null };
}

function callEntry(sipCallId: string, summary: AuditSummary, parties: readonly Party[], closes = false): AuditEntry {
  const named = users(parties);
  return {
    summary: { sipCallId, ...summary },
    parties: named,
    context: { kind: 'call', id: sipCallId, includeParties: true, remember: named, closes },
  };
}

function conferenceEntry(conferenceId: string, summary: AuditSummary, parties: readonly Party[], closes = false): AuditEntry {
  return {
    summary: { conferenceId, ...summary },
    parties,
    context: { kind: 'conference', id: conferenceId, includeParties: true, remember: [], closes },
  };
}

export function auditEntry(event: AuditedEvent): AuditEntry {
  switch (event.type) {
    case 'directory.user_provisioned.v1':
    case 'directory.user_updated.v1': {
      const d = event.data;
      return ownEvent(d.sipUri, {
        displayName: d.displayName,
        lineUri: d.lineUri,
        enterpriseVoiceEnabled: d.enterpriseVoiceEnabled,
        dialPlan: d.dialPlan,
        voicePolicy: d.voicePolicy,
        maxEndpoints: d.maxEndpoints,
      });
    }
    case 'directory.user_deprovisioned.v1':
      return ownEvent(event.data.sipUri, { reason: event.data.reason });
    case 'directory.credentials_set.v1':
      // That credentials changed, and for which realm; never the HA1 values (password-equivalent).
      return ownEvent(event.data.sipUri, { realm: event.data.realm });
    case 'endpoint.registered.v1': {
      const d = event.data;
      return ownEvent(d.sipUri, {
        endpointId: d.endpointId,
        contact: d.contact,
        transport: d.transport,
        sourceAddress: d.sourceAddress,
        userAgent: d.userAgent,
        instanceId: d.instanceId,
        expiresAt: d.expiresAt,
      });
    }
    case 'endpoint.refreshed.v1': {
      const d = event.data;
      return ownEvent(d.sipUri, { endpointId: d.endpointId, contact: d.contact, sourceAddress: d.sourceAddress, expiresAt: d.expiresAt });
    }
    case 'endpoint.unregistered.v1':
      return ownEvent(event.data.sipUri, { endpointId: event.data.endpointId, contact: event.data.contact });
    case 'endpoint.expired.v1': {
      const d = event.data;
      return ownEvent(d.sipUri, { endpointId: d.endpointId, contact: d.contact, expiredAt: d.expiredAt });
    }
    case 'presence.published.v1': {
      const d = event.data;
      return ownEvent(d.sipUri, {
        endpointId: d.endpointId,
        availability: d.availability,
        code: d.code,
        activity: d.activity,
        note: d.note,
        expiresAt: d.expiresAt,
      });
    }
    case 'presence.withdrawn.v1':
      return ownEvent(event.data.sipUri, { endpointId: event.data.endpointId, reason: event.data.reason });
    case 'presence.expired.v1':
      return ownEvent(event.data.sipUri, { endpointId: event.data.endpointId, expiredAt: event.data.expiredAt });
    case 'presence.user_state_set.v1': {
      const d = event.data;
      return ownEvent(d.sipUri, { availability: d.availability, code: d.code, note: d.note, until: d.until });
    }
    case 'presence.user_state_cleared.v1':
      return ownEvent(event.data.sipUri, { reason: event.data.reason });
    // Who watches whom is itself audit data: both sides get the row.
    case 'presence.watcher_subscribed.v1': {
      const d = event.data;
      return {
        summary: { presentity: d.sipUri, watcher: d.watcherUri, subscriptionId: d.subscriptionId, expiresAt: d.expiresAt },
        parties: [
          [d.sipUri, 'presentity'],
          [d.watcherUri, 'watcher'],
        ],
        context: null,
      };
    }
    case 'presence.watcher_unsubscribed.v1': {
      const d = event.data;
      return {
        summary: { presentity: d.sipUri, watcher: d.watcherUri, subscriptionId: d.subscriptionId, reason: d.reason },
        parties: [
          [d.sipUri, 'presentity'],
          [d.watcherUri, 'watcher'],
        ],
        context: null,
      };
    }
    case 'presence.blocks_set.v1':
      return ownEvent(event.data.sipUri, { blocked: event.data.blocked });
    case 'voice.forwarding_set.v1': {
      const d = event.data;
      return ownEvent(d.sipUri, { immediate: d.immediate, noAnswer: d.noAnswer, busy: d.busy, unreachable: d.unreachable });
    }
    case 'voice.simultaneous_ring_set.v1':
      return ownEvent(event.data.sipUri, { targets: event.data.targets });
    case 'voice.delegates_set.v1':
      return ownEvent(event.data.sipUri, { delegates: event.data.delegates });
    case 'voice.team_call_set.v1':
      return ownEvent(event.data.sipUri, { members: event.data.members, ringAfterSeconds: event.data.ringAfterSeconds });
    case 'im.session_started.v1': {
      const d = event.data;
      const parties: Party[] = d.participants.map((p) => [p, p === d.initiator ? 'initiator' : 'participant']);
      return {
        summary: { sessionId: d.sessionId, initiator: d.initiator, participants: d.participants.length },
        parties,
        context: { kind: 'im', id: d.sessionId, includeParties: false, remember: parties, closes: false },
      };
    }
    case 'im.message_sent.v1': {
      const d = event.data;
      // Never the body, even when archived: the archive is the place for content, not the audit trail.
      return {
        summary: {
          sessionId: d.sessionId,
          messageId: d.messageId,
          sender: d.sender,
          recipients: d.recipients.length,
          contentType: d.contentType,
          archived: d.archived,
        },
        parties: [[d.sender, 'sender'], ...d.recipients.map((r): Party => [r, 'recipient'])],
        context: null,
      };
    }
    case 'im.message_delivered.v1': {
      const d = event.data;
      return {
        summary: { sessionId: d.sessionId, messageId: d.messageId, recipient: d.recipient, sipStatus: d.sipStatus },
        parties: [[d.recipient, 'recipient']],
        context: null,
      };
    }
    case 'im.message_failed.v1': {
      const d = event.data;
      return {
        summary: { sessionId: d.sessionId, messageId: d.messageId, recipient: d.recipient, sipStatus: d.sipStatus, reason: d.reason },
        parties: [[d.recipient, 'recipient']],
        context: null,
      };
    }
    case 'im.session_ended.v1': {
      const d = event.data;
      return {
        summary: { sessionId: d.sessionId, endedBy: d.endedBy, reason: d.reason },
        parties: d.endedBy === null ? [] : [[d.endedBy, 'actor']],
        context: { kind: 'im', id: d.sessionId, includeParties: true, remember: [], closes: true },
      };
    }
    case 'conference.scheduled.v1': {
      const d = event.data;
      // The PIN is a dial-in secret: not in the audit trail.
      return {
        summary: { conferenceId: d.conferenceId, subject: d.subject, startsAt: d.startsAt, endsAt: d.endsAt, access: d.access },
        parties: [[d.organizer, 'organizer']],
        context: { kind: 'conference', id: d.conferenceId, includeParties: true, remember: [[d.organizer, 'organizer']], closes: false },
      };
    }
    case 'conference.activated.v1':
      return conferenceEntry(event.data.conferenceId, {}, []);
    case 'conference.participant_joined.v1':
    case 'conference.participant_lobbied.v1': {
      const d = event.data;
      return conferenceEntry(d.conferenceId, { participant: d.participant, role: d.role, modality: d.modality }, [[d.participant, 'participant']]);
    }
    case 'conference.participant_admitted.v1': {
      const d = event.data;
      return conferenceEntry(
        d.conferenceId,
        { participant: d.participant, role: d.role, modality: d.modality, admittedBy: d.admittedBy },
        [
          [d.participant, 'participant'],
          [d.admittedBy, 'actor'],
        ],
      );
    }
    case 'conference.participant_left.v1': {
      const d = event.data;
      return conferenceEntry(d.conferenceId, { participant: d.participant, reason: d.reason, by: d.by }, [
        [d.participant, 'participant'],
        [d.by, 'actor'],
      ]);
    }
    case 'conference.participant_muted.v1':
    case 'conference.participant_unmuted.v1': {
      const d = event.data;
      return conferenceEntry(d.conferenceId, { participant: d.participant, by: d.by }, [
        [d.participant, 'participant'],
        [d.by, 'actor'],
      ]);
    }
    case 'conference.locked.v1':
      return conferenceEntry(event.data.conferenceId, { by: event.data.by }, [[event.data.by, 'actor']]);
    case 'conference.unlocked.v1':
      return conferenceEntry(event.data.conferenceId, { by: event.data.by, access: event.data.access }, [[event.data.by, 'actor']]);
    case 'conference.ended.v1': {
      const { conferenceId, by } = event.data;
      return conferenceEntry(conferenceId, { by }, by === null ? [] : [[by, 'actor']], true);
    }
    case 'call.initiated.v1': {
      const d = event.data;
      const inbound: AuditSummary = d.inboundGateway === undefined ? {} : { inboundGateway: d.inboundGateway };
      return callEntry(d.sipCallId, { caller: d.caller, dialledString: d.dialledString, normalizedNumber: d.normalizedNumber, ...inbound }, [
        [d.caller, 'caller'],
      ]);
    }
    case 'call.routed.v1': {
      const { sipCallId, route } = event.data;
      return callEntry(sipCallId, { route: routeSummary(route) }, route.kind === 'user' ? [[route.target, 'callee']] : []);
    }
    case 'call.ringing.v1':
      return callEntry(event.data.sipCallId, { contact: event.data.contact }, []);
    case 'call.answered.v1':
      return callEntry(event.data.sipCallId, { contact: event.data.contact }, []);
    case 'call.forwarded.v1': {
      const d = event.data;
      return callEntry(d.sipCallId, { reason: d.reason, from: d.from, to: d.to }, [
        [d.from, 'forwarded_from'],
        [d.to, 'forward_target'],
      ]);
    }
    case 'call.leg_added.v1': {
      const d = event.data;
      return callEntry(d.sipCallId, { reason: d.reason, onBehalfOf: d.onBehalfOf, member: d.member, contacts: d.contacts.length }, [
        [d.member, d.reason === 'team_call' ? 'team_member' : 'delegate'],
      ]);
    }
    case 'call.transferred.v1': {
      const d = event.data;
      return callEntry(d.sipCallId, { by: d.by, to: d.to }, [
        [d.by, 'actor'],
        [d.to, 'transfer_target'],
      ]);
    }
    case 'call.held.v1':
    case 'call.resumed.v1':
      return callEntry(event.data.sipCallId, { by: event.data.by }, [[event.data.by, 'actor']]);
    case 'call.parked.v1':
    case 'call.retrieved.v1':
      return callEntry(event.data.sipCallId, { orbit: event.data.orbit, by: event.data.by }, [[event.data.by, 'actor']]);
    case 'call.ended.v1': {
      const d = event.data;
      return callEntry(d.sipCallId, { cause: d.cause, sipStatus: d.sipStatus, durationSeconds: d.durationSeconds }, [], true);
    }
    case 'privacy.legal_hold_placed.v1':
    case 'privacy.legal_hold_released.v1':
      return ownEvent(event.data.sipUri, { reason: event.data.reason });
    case 'privacy.user_forgotten.v1':
      return ownEvent(event.data.sipUri, { keysDestroyed: event.data.keyIds.length });
    default: {
      const unreachable: never = event;
      throw new Error(`audit: unhandled ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * The users an entry gives a row to, each with its roles: first those the
 * event names it with, then the role remembered for it in the context (the
 * caller who puts a call on hold is `['actor', 'caller']`).
 */
export function concernedUsers(entry: AuditEntry, remembered: readonly Party[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [uri, role] of users(entry.parties)) {
    const roles = out.get(uri);
    if (!roles) out.set(uri, [role]);
    else if (!roles.includes(role)) roles.push(role);
  }
  if (entry.context?.includeParties)
    for (const [uri, role] of remembered) {
      const roles = out.get(uri);
      if (!roles) out.set(uri, [role]);
      else if (!roles.includes(role)) roles.push(role);
    }
  return out;
}
