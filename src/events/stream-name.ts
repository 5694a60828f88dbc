import { InvalidStreamNameError } from './errors.ts';

/**
 * Streams are named `<category>-<id>`, e.g. `user-alice@example.test`, `call-<uuid>`.
 * The category lets projections and `readAll` filter whole aggregates cheaply.
 */
const CATEGORY = /^[a-z][a-zA-Z0-9]{0,63}$/;
// Printable, no whitespace: ids end up in URLs, logs and SIP headers.
const ID = /^[\x21-\x7e\u00a0-\uffff]{1,400}$/u;

export function streamName(category: string, id: string): string {
  const name = `${category}-${id}`;
  assertValidStreamName(name);
  return name;
}

export function assertValidStreamName(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string') throw new InvalidStreamNameError(String(streamId), 'must be a string');
  const dash = streamId.indexOf('-');
  if (dash <= 0) throw new InvalidStreamNameError(streamId, 'must be "<category>-<id>"');
  const category = streamId.slice(0, dash);
  const id = streamId.slice(dash + 1);
  if (!CATEGORY.test(category))
    throw new InvalidStreamNameError(streamId, 'category must be 1-64 letters/digits starting with a lower-case letter');
  if (!ID.test(id)) throw new InvalidStreamNameError(streamId, 'id must be 1-400 printable characters without spaces');
}

export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}
