import { randomUUID } from 'node:crypto';
import type { CommandDispatcher } from '../../commands/dispatch/command-dispatcher.ts';
import { CONFERENCES_PATH, ConferenceScheduledSchema, ScheduleConferenceRequestSchema } from '../contract/conference-contract.ts';
import type { ApiRoutePlugin } from '../http-server.ts';
import { WRITE_ERROR_RESPONSES, writeAccepted } from './write-answers.ts';

export interface ConferenceRoutesOptions {
  readonly dispatcher: CommandDispatcher;
}

/** Scheduling conferences (meetings) ahead of time; joining happens over SIP. */
export function conferenceRoutes({ dispatcher }: ConferenceRoutesOptions): ApiRoutePlugin {
  return async (app) => {
    app.post(
      CONFERENCES_PATH,
      {
        schema: {
          summary: 'Schedule a conference',
          description:
            '404 `not_provisioned` when the organizer is not a user; 422 `invalid_schedule` when `endsAt` is not after `startsAt` or already past; 409 `conference_exists` for a reused id.',
          tags: ['conferencing'],
          body: ScheduleConferenceRequestSchema,
          response: { 201: ConferenceScheduledSchema, ...WRITE_ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { conferenceId: requested, ...rest } = request.body;
        await dispatcher.requireActiveUsers([rest.organizer], 'schedule conference');
        const conferenceId = requested ?? randomUUID();
        const outcome = await dispatcher.conference(conferenceId, {
          type: 'ScheduleConference',
          data: { ...rest, conferenceId },
        });
        return reply.code(201).send({ conferenceId, ...writeAccepted(outcome) });
      },
    );
  };
}
