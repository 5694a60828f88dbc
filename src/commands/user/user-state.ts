import type { Availability } from '../../events/domain/availability.ts';
import { directoryEvents, type DirectoryEvent, type UserProfile } from '../../events/domain/directory-events.ts';
import { endpointEvents, type EndpointEvent } from '../../events/domain/endpoint-events.ts';
import { presenceEvents, type PresenceEvent } from '../../events/domain/presence-events.ts';
import type { CallTarget, SipTransport } from '../../events/domain/primitives.ts';
import {
  userVoiceEvents,
  type ForwardingSettings,
  type UserVoiceEvent,
} from '../../events/domain/user-voice-events.ts';
import { assertNever } from '../decider.ts';

export type UserEvent = DirectoryEvent | EndpointEvent | PresenceEvent | UserVoiceEvent;

export const USER_EVENT_TYPES: ReadonlySet<string> = new Set([
  ...Object.keys(directoryEvents),
  ...Object.keys(endpointEvents),
  ...Object.keys(presenceEvents),
  ...Object.keys(userVoiceEvents),
]);

/** A registered binding. It stays here until unregistered or expired by an event, even past `expiresAt`. */
export interface Endpoint {
  readonly endpointId: string;
  readonly contact: string;
  readonly instanceId: string | null;
  readonly transport: SipTransport;
  readonly sourceAddress: string;
  readonly userAgent: string | null;
  readonly expiresAt: string;
}

export interface Publication {
  readonly endpointId: string;
  readonly etag: string;
  readonly availability: Availability;
  readonly code: number;
  readonly activity: string | null;
  readonly note: string | null;
  readonly expiresAt: string;
}

export interface UserChosenState {
  readonly availability: Availability;
  readonly code: number;
  readonly note: string | null;
  readonly until: string | null;
}

export interface Watcher {
  readonly watcherUri: string;
  readonly subscriptionId: string;
  readonly expiresAt: string;
}

export interface TeamCall {
  readonly members: readonly string[];
  readonly ringAfterSeconds: number;
}

export interface Credentials {
  readonly realm: string;
  readonly ha1Md5: string;
  readonly ha1Sha256: string;
}

export interface ActiveUser {
  readonly status: 'active';
  readonly profile: UserProfile;
  readonly credentials: Credentials | null;
  /** By endpointId. */
  readonly endpoints: ReadonlyMap<string, Endpoint>;
  /** By endpointId. */
  readonly publications: ReadonlyMap<string, Publication>;
  readonly chosenState: UserChosenState | null;
  /** By subscriptionId. */
  readonly watchers: ReadonlyMap<string, Watcher>;
  /** Watcher AORs and domains refused (presence.blocks_set.v1), in the user's order. */
  readonly presenceBlocks: readonly string[];
  readonly forwarding: ForwardingSettings;
  readonly simultaneousRing: readonly CallTarget[];
  readonly delegates: readonly string[];
  readonly teamCall: TeamCall;
}

export type UserState =
  | { readonly status: 'absent' }
  | ActiveUser
  | { readonly status: 'deprovisioned'; readonly sipUri: string };

export const NO_FORWARDING: ForwardingSettings = { immediate: null, noAnswer: null, busy: null, unreachable: null };

export function initialUserState(): UserState {
  return { status: 'absent' };
}

function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V): ReadonlyMap<string, V> {
  const next = new Map(map);
  next.set(key, value);
  return next;
}

function withoutEntry<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  if (!map.has(key)) return map;
  const next = new Map(map);
  next.delete(key);
  return next;
}

/** Events are facts: one that needs a provisioned user but finds none means the stream is corrupt. */
function active(state: UserState, type: string): ActiveUser {
  if (state.status !== 'active') throw new Error(`user stream is corrupt: ${type} applied to a ${state.status} user`);
  return state;
}

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'directory.user_provisioned.v1': {
      const { at: _at, ...profile } = event.data;
      return {
        status: 'active',
        profile,
        credentials: null,
        endpoints: new Map(),
        publications: new Map(),
        chosenState: null,
        watchers: new Map(),
        presenceBlocks: [],
        forwarding: NO_FORWARDING,
        simultaneousRing: [],
        delegates: [],
        teamCall: { members: [], ringAfterSeconds: 0 },
      };
    }
    case 'directory.user_updated.v1': {
      const { at: _at, ...profile } = event.data;
      return { ...active(state, event.type), profile };
    }
    case 'directory.user_deprovisioned.v1':
      return { status: 'deprovisioned', sipUri: event.data.sipUri };
    case 'directory.credentials_set.v1': {
      const { realm, ha1Md5, ha1Sha256 } = event.data;
      return { ...active(state, event.type), credentials: { realm, ha1Md5, ha1Sha256 } };
    }
    case 'endpoint.registered.v1': {
      const user = active(state, event.type);
      const d = event.data;
      const endpoint: Endpoint = {
        endpointId: d.endpointId,
        contact: d.contact,
        instanceId: d.instanceId,
        transport: d.transport,
        sourceAddress: d.sourceAddress,
        userAgent: d.userAgent,
        expiresAt: d.expiresAt,
      };
      return { ...user, endpoints: withEntry(user.endpoints, d.endpointId, endpoint) };
    }
    case 'endpoint.refreshed.v1': {
      const user = active(state, event.type);
      const d = event.data;
      const previous = user.endpoints.get(d.endpointId);
      if (!previous) throw new Error(`user stream is corrupt: refresh of unknown endpoint ${d.endpointId}`);
      const endpoint: Endpoint = {
        ...previous,
        contact: d.contact,
        transport: d.transport,
        sourceAddress: d.sourceAddress,
        userAgent: d.userAgent,
        expiresAt: d.expiresAt,
      };
      return { ...user, endpoints: withEntry(user.endpoints, d.endpointId, endpoint) };
    }
    case 'endpoint.unregistered.v1':
    case 'endpoint.expired.v1': {
      const user = active(state, event.type);
      return { ...user, endpoints: withoutEntry(user.endpoints, event.data.endpointId) };
    }
    case 'presence.published.v1': {
      const user = active(state, event.type);
      const { sipUri: _sipUri, at: _at, ...publication } = event.data;
      return { ...user, publications: withEntry(user.publications, publication.endpointId, publication) };
    }
    case 'presence.withdrawn.v1':
    case 'presence.expired.v1': {
      const user = active(state, event.type);
      return { ...user, publications: withoutEntry(user.publications, event.data.endpointId) };
    }
    case 'presence.user_state_set.v1': {
      const { availability, code, note, until } = event.data;
      return { ...active(state, event.type), chosenState: { availability, code, note, until } };
    }
    case 'presence.user_state_cleared.v1':
      return { ...active(state, event.type), chosenState: null };
    case 'presence.watcher_subscribed.v1': {
      const user = active(state, event.type);
      const { watcherUri, subscriptionId, expiresAt } = event.data;
      return { ...user, watchers: withEntry(user.watchers, subscriptionId, { watcherUri, subscriptionId, expiresAt }) };
    }
    case 'presence.watcher_unsubscribed.v1': {
      const user = active(state, event.type);
      return { ...user, watchers: withoutEntry(user.watchers, event.data.subscriptionId) };
    }
    case 'presence.blocks_set.v1':
      return { ...active(state, event.type), presenceBlocks: event.data.blocked };
    case 'voice.forwarding_set.v1': {
      const { immediate, noAnswer, busy, unreachable } = event.data;
      return { ...active(state, event.type), forwarding: { immediate, noAnswer, busy, unreachable } };
    }
    case 'voice.simultaneous_ring_set.v1':
      return { ...active(state, event.type), simultaneousRing: event.data.targets };
    case 'voice.delegates_set.v1':
      return { ...active(state, event.type), delegates: event.data.delegates };
    case 'voice.team_call_set.v1': {
      const { members, ringAfterSeconds } = event.data;
      return { ...active(state, event.type), teamCall: { members, ringAfterSeconds } };
    }
    default:
      return assertNever(event, 'user event');
  }
}
