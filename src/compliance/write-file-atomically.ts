import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Writes `chunks` to `out` so that `out` either holds the whole content or is
 * untouched: the bytes go to a hidden temporary file beside it (same
 * directory, so the rename cannot cross file systems), renamed over `out`
 * only after the last chunk; on any failure the temporary file is removed.
 * Resolves to the number of bytes written.
 */
export async function writeFileAtomically(out: string, chunks: AsyncIterable<string | Uint8Array>): Promise<number> {
  const partial = join(dirname(out), `.${basename(out)}.${randomUUID()}.partial`);
  let bytes = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
      bytes += buffer.length;
      yield buffer;
    }
  }
  try {
    await pipeline(Readable.from(counted()), createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
    await rename(partial, out);
    return bytes;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
