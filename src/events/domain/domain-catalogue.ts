import { EventCatalogue } from '../catalogue.ts';
import { callEvents } from './call-events.ts';
import { conferenceEvents } from './conference-events.ts';
import { directoryEvents } from './directory-events.ts';
import { endpointEvents } from './endpoint-events.ts';
import { imEvents } from './im-events.ts';
import { presenceEvents } from './presence-events.ts';
import { privacyEvents } from './privacy-events.ts';
import { userVoiceEvents } from './user-voice-events.ts';
import { voiceConfigEvents } from './voice-config-events.ts';

/** Every domain event Chorus writes today. There is no legacy version yet. */
export const domainCatalogue = EventCatalogue.create({
  current: {
    ...directoryEvents,
    ...endpointEvents,
    ...presenceEvents,
    ...userVoiceEvents,
    ...imEvents,
    ...conferenceEvents,
    ...callEvents,
    ...voiceConfigEvents,
    ...privacyEvents,
  },
});

export type DomainEvent = typeof domainCatalogue extends EventCatalogue<infer E> ? E : never;
