import { z } from 'zod';
import { logger as moduleLogger, type Logger } from '../logging/logger.ts';
import type { SqlClient, SqlTransaction } from '../storage/sql-client.ts';
import type { AuditSigner } from './audit-keys.ts';
import { AUDIT_CHAIN_LOCK_KEY } from '../events/store/sql/lock-keys.ts';
import { ensureAuditTables } from './audit-schema.ts';
import {
  INSERT_CHAIN_ROWS,
  INSERT_CHECKPOINT,
  RECORD_KEY,
  SELECT_CHAIN_HEAD,
  SELECT_EVENTS_AFTER,
  SELECT_LAST_CHECKPOINT,
} from './audit-statements.ts';
import { GENESIS_HASH, chainHash, eventHash } from './canonical-event.ts';
import { checkpointMessage } from './checkpoint-message.ts';
import { RawEventRowSchema, toStoredEventText } from './raw-event-row.ts';

export interface ChainKeeperOptions {
  /** The log's database (the event store's own client on PGlite). */
  readonly client: SqlClient;
  readonly signer: AuditSigner;
  /** Sign a checkpoint at every N-th chained event. Default 1000. */
  readonly checkpointEvery?: number;
  /** Also sign the head when the last checkpoint is this old (seconds); 0: never. Default 60. */
  readonly checkpointSeconds?: number;
  /** Events chained per transaction. Default 2000. */
  readonly batchSize?: number;
  /** Sleep between polls once caught up (the window an unchained event stays open). Default 500 ms. */
  readonly pollIntervalMs?: number;
  /** Default `() => new Date()`; stamps checkpoints and drives the time rule. */
  readonly clock?: () => Date;
  /** Default `logger('audit')`. */
  readonly logger?: Logger;
}

const HeadRow = z.object({ position: z.string(), seq: z.string(), chain_hash: z.string().regex(/^[0-9a-f]{64}$/) });
const CheckpointRow = z.object({ position: z.string(), seq: z.string(), signed_at: z.coerce.date() });

/** How long to back off after a failed step, so a broken database is not hammered. */
const FAILURE_BACKOFF_MS = 5_000;

/**
 * Follows the log and extends the hash chain: each step, in ONE transaction
 * under an advisory lock, reads the events after the chain's head, writes their
 * chain rows and any checkpoint due, and commits. The chain's last row is the
 * keeper's checkpoint, so a crash loses nothing and chains nothing twice, and
 * keepers in several processes take turns instead of racing.
 *
 * Why a keeper and not the append function: docs/audit.md, "Design".
 */
export class ChainKeeper {
  readonly #client: SqlClient;
  readonly #signer: AuditSigner;
  readonly #checkpointEvery: bigint;
  readonly #checkpointMs: number;
  readonly #batchSize: number;
  readonly #pollIntervalMs: number;
  readonly #clock: () => Date;
  readonly #log: Logger;
  #loop: Promise<void> | null = null;
  #closed = false;
  #wake: (() => void) | null = null;

  private constructor(options: ChainKeeperOptions) {
    this.#client = options.client;
    this.#signer = options.signer;
    this.#checkpointEvery = BigInt(options.checkpointEvery ?? 1000);
    this.#checkpointMs = (options.checkpointSeconds ?? 60) * 1000;
    this.#batchSize = options.batchSize ?? 2000;
    this.#pollIntervalMs = options.pollIntervalMs ?? 500;
    this.#clock = options.clock ?? (() => new Date());
    this.#log = options.logger ?? moduleLogger('audit');
  }

  /** Creates the audit tables if needed and records the signer's public key; does not start following. */
  static async open(options: ChainKeeperOptions): Promise<ChainKeeper> {
    const keeper = new ChainKeeper(options);
    await ensureAuditTables(options.client);
    await options.client.query(RECORD_KEY, [options.signer.keyId, options.signer.publicKeyPem]);
    return keeper;
  }

  /** Follows the log in the background until close(). */
  start(): void {
    if (this.#closed) throw new Error('the chain keeper is closed');
    this.#loop ??= this.#run();
  }

  /** Ends a poll sleep early (e.g. after a commit); harmless when not sleeping. */
  wake(): void {
    this.#wake?.();
  }

  /** Chains until the head of the log as it is now; resolves to the number of events chained. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.step();
      total += n;
      if (n < this.#batchSize) return total;
    }
  }

  /** One transaction: at most `batchSize` events chained, checkpoints due signed. Returns events chained. */
  step(): Promise<number> {
    return this.#client.transaction((tx) => this.#step(tx));
  }

  /** Stops following; waits for a running step to commit. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      let pause = this.#pollIntervalMs;
      try {
        if ((await this.step()) >= this.#batchSize) continue;
      } catch (error) {
        this.#log.error({ err: error }, 'chaining failed; retrying');
        pause = FAILURE_BACKOFF_MS;
      }
      if (this.#closed) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }

  async #step(tx: SqlTransaction): Promise<number> {
    // One step at a time across processes: keepers in several front ends take turns.
    await tx.query(`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY})`);
    const headRow = (await tx.query(SELECT_CHAIN_HEAD)).rows[0];
    const head = headRow === undefined ? null : HeadRow.parse(headRow);
    let prevPosition = head === null ? 0n : BigInt(head.position);
    let seq = head === null ? 0n : BigInt(head.seq);
    let prevHash = head === null ? GENESIS_HASH : head.chain_hash;

    const { rows } = await tx.query(SELECT_EVENTS_AFTER, [prevPosition.toString(), this.#batchSize]);
    const positions: string[] = [];
    const seqs: string[] = [];
    const prevs: string[] = [];
    const ids: string[] = [];
    const eventHashes: string[] = [];
    const chainHashes: string[] = [];
    const due: { position: bigint; seq: bigint; chainHash: string }[] = [];
    for (const raw of rows) {
      const event = toStoredEventText(RawEventRowSchema.parse(raw));
      const eh = eventHash(event);
      const ch = chainHash(prevHash, eh);
      seq += 1n;
      positions.push(event.position);
      seqs.push(seq.toString());
      prevs.push(prevPosition.toString());
      ids.push(event.eventId);
      eventHashes.push(eh);
      chainHashes.push(ch);
      if (seq % this.#checkpointEvery === 0n) due.push({ position: BigInt(event.position), seq, chainHash: ch });
      prevPosition = BigInt(event.position);
      prevHash = ch;
    }
    if (positions.length > 0) await tx.query(INSERT_CHAIN_ROWS, [positions, seqs, prevs, ids, eventHashes, chainHashes]);

    const now = this.#clock();
    if (due.length === 0 && this.#checkpointMs > 0 && seq > 0n) {
      const lastRow = (await tx.query(SELECT_LAST_CHECKPOINT)).rows[0];
      const last = lastRow === undefined ? null : CheckpointRow.parse(lastRow);
      if (last === null || (BigInt(last.seq) < seq && now.getTime() - last.signed_at.getTime() >= this.#checkpointMs))
        due.push({ position: prevPosition, seq, chainHash: prevHash });
    }
    for (const c of due) {
      const signature = this.#signer.sign(checkpointMessage(c.position, c.chainHash));
      await tx.query(INSERT_CHECKPOINT, [
        c.position.toString(),
        c.seq.toString(),
        c.chainHash,
        this.#signer.keyId,
        signature.toString('hex'),
        now.toISOString(),
      ]);
    }
    return positions.length;
  }
}
