import { randomUUID } from 'node:crypto';
import type { CommandDispatcher } from '../../commands/dispatch/command-dispatcher.ts';
import { IM_MESSAGES_PATH, ImSentSchema, SendImRequestSchema } from '../contract/im-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import { WRITE_ERROR_RESPONSES, writeAccepted } from './write-answers.ts';

export interface ImRoutesOptions {
  readonly dispatcher: CommandDispatcher;
}

const DEFAULT_CONTENT_TYPE = 'text/plain; charset=utf-8';

/** Instant messages sent through the API (announcements, tests): an IM session and its first message in one append. */
export function imRoutes({ dispatcher }: ImRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    app.post(
      IM_MESSAGES_PATH,
      {
        schema: {
          summary: 'Send an instant message',
          description:
            'Starts an IM session between `from` and `to` with `body` as its first message (im.session_started + im.message_sent). 404 `not_provisioned` when an address is not a user.',
          tags: ['im'],
          body: SendImRequestSchema,
          response: { 201: ImSentSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const b = request.body;
        await dispatcher.requireActiveUsers([b.from, ...b.to], 'send IM');
        const sessionId = b.sessionId ?? randomUUID();
        const outcome = await dispatcher.im(sessionId, {
          type: 'StartImSession',
          data: {
            sessionId,
            initiator: b.from,
            invitees: b.to,
            message: {
              sender: b.from,
              contentType: b.contentType ?? DEFAULT_CONTENT_TYPE,
              body: b.body,
              archive: b.archive ?? false,
            },
          },
        });
        const sent = outcome.events.find((e) => e.type === 'im.message_sent.v1');
        if (sent?.type !== 'im.message_sent.v1') throw new Error('StartImSession with a message wrote no im.message_sent');
        return reply.code(201).send({ sessionId, messageId: sent.data.messageId, ...writeAccepted(outcome) });
      },
    );
  };
}
