import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

const LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function isLevel(value: string | undefined): value is LevelWithSilent {
  return LEVELS.some((level) => level === value);
}

/**
 * LOG_LEVEL is read here too (not only in loadConfig) so that modules logging
 * before the configuration is loaded already honour it; an invalid value falls
 * back to `info` and loadConfig reports it.
 */
const initialLevel = process.env['LOG_LEVEL'];

const root: Logger = pino({
  level: isLevel(initialLevel) ? initialLevel : 'info',
  timestamp: pino.stdTimeFunctions.isoTime,
});

const moduleLoggers = new Map<string, Logger>();

/**
 * The logger of one module (`logger('api')`, `logger('projections')`): a child
 * of the process logger whose lines carry `module`, so one grep isolates an area.
 * Cached, so every caller in a module shares one instance and `setLogLevel` reaches it.
 */
export function logger(module: string): Logger {
  let child = moduleLoggers.get(module);
  if (!child) {
    child = root.child({ module });
    moduleLoggers.set(module, child);
  }
  return child;
}

/**
 * Changes the level of the process logger and of every module logger. pino
 * children copy their level when created, so the root alone would not do.
 */
export function setLogLevel(level: LevelWithSilent): void {
  root.level = level;
  for (const child of moduleLoggers.values()) child.level = level;
}
