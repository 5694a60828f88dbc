import { pino } from 'pino';
import type { Logger } from '../../src/logging/logger.ts';

/** For tests whose failures are the point: keeps expected error logs out of the TAP output. */
export const silentLogger: Logger = pino({ level: 'silent' });
