import { randomBytes } from 'node:crypto';
import { MAGIC_COOKIE } from './via.ts';

/**
 * Branches and tags: a random per-process prefix plus a counter, so generating
 * one costs a string concat rather than a call into the CSPRNG on every message,
 * while staying unique across restarts (RFC 3261 §8.1.1.7, §19.3).
 */
const PREFIX = randomBytes(6).toString('hex');
let counter = 0;

export function newBranch(): string {
  return `${MAGIC_COOKIE}${PREFIX}${(counter++).toString(36)}`;
}

export function newTag(): string {
  return `${PREFIX.slice(0, 8)}${(counter++).toString(36)}`;
}

export function newCallId(host: string): string {
  return `${randomBytes(9).toString('base64url')}@${host}`;
}
