import { z } from 'zod';
import { BlockWatcherSchema, SetPresenceBlocksSchema } from '../../commands/user/user-commands.ts';
import { PresenceBlockSchema } from '../../events/domain/presence-events.ts';
import { SipUriSchema } from '../../events/domain/primitives.ts';

/**
 * Wire contract of a user's presence block list: watcher AORs (`sip:user@host`)
 * and whole domains (`host`) whose SUBSCRIBEs are refused (403) and whose
 * subscriptions end when blocked. Shared by the route plugin and clients.
 */

/** /users/{sipUri}/presence-blocks; both URIs are percent-encoded so each makes one path segment. */
export function presenceBlocksPath(sipUri: string, watcher?: string): string {
  const base = `/users/${encodeURIComponent(sipUri)}/presence-blocks`;
  return watcher === undefined ? base : `${base}/${encodeURIComponent(watcher)}`;
}

/** PUT /users/{sipUri}/presence-blocks: the complete list (`[]` unblocks everyone). */
export const SetPresenceBlocksRequestSchema = SetPresenceBlocksSchema.shape.data;

/** PUT and DELETE /users/{sipUri}/presence-blocks/{watcher} */
export const PresenceBlockParamsSchema = z.object({ sipUri: SipUriSchema, watcher: BlockWatcherSchema.shape.data.shape.watcher });

/** GET /users/{sipUri}/presence-blocks, from the presence view. */
export const PresenceBlocksAnswerSchema = z.object({ sipUri: SipUriSchema, blocked: z.array(PresenceBlockSchema) });
export type PresenceBlocksAnswer = z.infer<typeof PresenceBlocksAnswerSchema>;
