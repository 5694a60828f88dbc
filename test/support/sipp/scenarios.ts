import { fileURLToPath } from 'node:url';

/** The scenario files in test/fixtures/sipp (each file's header comment says what it does and which fields it reads). */
export const SIPP_SCENARIOS = [
  'register',
  'unregister',
  'publish',
  'subscribe',
  'message',
  'uas-message',
  'uac-call',
  'uac-cancel',
  'uas-answer',
  'uas-gateway',
  'uas-no-answer',
] as const;
export type SippScenarioName = (typeof SIPP_SCENARIOS)[number];

/** Absolute path of a scenario in test/fixtures/sipp. */
export function sippScenarioPath(name: SippScenarioName): string {
  return fileURLToPath(new URL(`../../fixtures/sipp/${name}.xml`, import.meta.url));
}
