import type { CommandDispatcher } from '../../commands/dispatch/command-dispatcher.ts';
import type { DirectoryReader } from '../../projections/directory/directory-reader.ts';
import type { PresenceReader } from '../../projections/presence/presence-reader.ts';
import {
  PresenceBlockParamsSchema,
  PresenceBlocksAnswerSchema,
  SetPresenceBlocksRequestSchema,
  type PresenceBlocksAnswer,
} from '../contract/presence-blocks-contract.ts';
import { USERS_PATH, UserPathParamsSchema } from '../contract/users-contract.ts';
import { WriteAcceptedSchema } from '../contract/write-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import { notProvisioned, QUERY_ERROR_RESPONSES } from './query-answers.ts';
import { WRITE_ERROR_RESPONSES, writeAccepted } from './write-answers.ts';

export interface UserPresenceBlockRoutesOptions {
  readonly dispatcher: CommandDispatcher;
  /** The presence view's reader: what the presence server enforces. */
  readonly presence: Pick<PresenceReader, 'blockedWatchersOf'>;
  /** Who is provisioned: the list of anyone else is a 404, not an empty list. */
  readonly directory: Pick<DirectoryReader, 'user'>;
}

const ENDS =
  'Live subscriptions of a newly blocked watcher end at once (`presence.watcher_unsubscribed.v1` reason `rejected`; the watcher gets NOTIFY `terminated;reason=rejected`) and its next SUBSCRIBE gets 403.';
const ENTRY = 'An entry is a watcher AOR (`sip:user@host`) or a whole domain (`host`, lower case).';

/**
 * A user's presence block list (OCS "Blocked" access level). Writes go
 * through the user decider; repeating one writes nothing.
 */
export function userPresenceBlockRoutes({ dispatcher, presence, directory }: UserPresenceBlockRoutesOptions): ApiRoutePlugin {
  const path = `${USERS_PATH}/:sipUri/presence-blocks`;
  return async (app) => {
    app.get(
      path,
      {
        schema: {
          summary: "A user's presence block list",
          description: `${ENTRY} Read from the presence view. 404 \`not_provisioned\` for a user the directory does not know.`,
          tags: ['presence'],
          params: UserPathParamsSchema,
          response: { 200: PresenceBlocksAnswerSchema, ...QUERY_ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { sipUri } = request.params;
        if (directory.user(sipUri) === null) return reply.code(404).send(notProvisioned(sipUri));
        const answer: PresenceBlocksAnswer = { sipUri, blocked: [...presence.blockedWatchersOf(sipUri)] };
        return answer;
      },
    );

    app.put(
      path,
      {
        schema: {
          summary: "Set a user's whole presence block list",
          description: `The complete list, not a delta; \`[]\` unblocks everyone. ${ENTRY} ${ENDS}`,
          tags: ['presence'],
          params: UserPathParamsSchema,
          body: SetPresenceBlocksRequestSchema,
          response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) => writeAccepted(await dispatcher.user(request.params.sipUri, { type: 'SetPresenceBlocks', data: request.body })),
    );

    app.put(
      `${path}/:watcher`,
      {
        schema: {
          summary: 'Block one watcher or domain',
          description: `Appends \`watcher\` (percent-encoded) to the list. ${ENTRY} ${ENDS}`,
          tags: ['presence'],
          params: PresenceBlockParamsSchema,
          response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) =>
        writeAccepted(await dispatcher.user(request.params.sipUri, { type: 'BlockWatcher', data: { watcher: request.params.watcher } })),
    );

    app.delete(
      `${path}/:watcher`,
      {
        schema: {
          summary: 'Unblock one watcher or domain',
          description: 'Removes `watcher` (percent-encoded) from the list; the watcher may SUBSCRIBE again. Not on the list: nothing is written.',
          tags: ['presence'],
          params: PresenceBlockParamsSchema,
          response: { 200: WriteAcceptedSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request) =>
        writeAccepted(await dispatcher.user(request.params.sipUri, { type: 'UnblockWatcher', data: { watcher: request.params.watcher } })),
    );
  };
}
