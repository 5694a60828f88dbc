import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { SqlClient } from '../storage/sql-client.ts';
import { keyIdOf, verifySignature, type AuditKeyRing } from './audit-keys.ts';
import type { AuditProblem, AuditProblemKind } from './audit-problem.ts';
import { auditTablesPresent } from './audit-schema.ts';
import { AuditUnavailableError } from './audit-unavailable-error.ts';
import {
  SELECT_CHAINED_POSITION_OF,
  SELECT_CHAIN_BEFORE,
  SELECT_CHAIN_HEAD,
  SELECT_CHECKPOINTS_IN,
  SELECT_FIRST_CHECKPOINT_AFTER,
  SELECT_KEYS,
  SELECT_LOG_HEAD,
  SELECT_NEXT_POSITION,
  SELECT_WINDOW_EVENTS,
  SELECT_WINDOW_ORPHANS,
} from './audit-statements.ts';
import { GENESIS_HASH, chainHash, eventHash } from './canonical-event.ts';
import { checkpointMessage } from './checkpoint-message.ts';

export interface AuditVerifyOptions {
  /** First position to check (inclusive). Default 1. */
  readonly from?: bigint;
  /** Last position to check (inclusive). Default: the chain's head; events past it are only counted. */
  readonly to?: bigint;
  /** Keys checkpoint signatures must come from; null: the keys recorded in the log (reported as such). */
  readonly trustedKeys: AuditKeyRing | null;
  /** Called after each window with positions done / positions in all. */
  readonly onProgress?: (progress: { readonly done: number; readonly total: number }) => void;
  /** Positions per query. Default 2,000: small enough that a window's rows die young (cheap scavenges), large enough to amortise the round trip. */
  readonly windowSize?: number;
  /** Problems kept in the report (all are counted). Default 100. */
  readonly maxProblems?: number;
}

export interface AuditVerification {
  /** No problem found. */
  readonly ok: boolean;
  readonly from: bigint;
  /** Last position checked (the chain head when `to` was not given or lies beyond it). */
  readonly to: bigint;
  readonly chainHead: bigint;
  readonly logHead: bigint;
  readonly eventsChecked: number;
  readonly checkpointsChecked: number;
  /** Highest signed checkpoint that verified in the range, if any. */
  readonly lastGoodCheckpoint: bigint | null;
  /** `configured`: signatures checked against CHORUS_AUDIT_PUBLIC_KEY / the signing key; `log`: against keys the log records. */
  readonly trust: 'configured' | 'log';
  readonly warnings: readonly string[];
  /** In position order; the first is the first tampered position. At most `maxProblems`. */
  readonly problems: readonly AuditProblem[];
  readonly problemCount: number;
}

/** Misplaced event ids looked up to tell `reordered` from `modified`; later ones are reported as `modified`. */
const MAX_ID_LOOKUPS = 100;

const HeadRow = z.object({ position: z.string(), seq: z.string(), chain_hash: z.string() });
const LogHeadRow = z.object({ head: z.string() });
const CheckpointRow = z.object({ position: z.string(), seq: z.string(), chain_hash: z.string(), key_id: z.string(), signature: z.string() });
const KeyRow = z.object({ key_id: z.string(), public_key: z.string() });
const NextRow = z.object({ next: z.string().nullable() });
const PositionRow = z.object({ position: z.string() });

interface Checkpoint {
  readonly position: bigint;
  /** The position as text, compared on the hot path. */
  readonly at: string;
  readonly chainHash: string;
  readonly keyId: string;
  readonly signature: string;
}

/**
 * One row of SELECT_WINDOW_EVENTS (event columns set) or SELECT_WINDOW_ORPHANS
 * (event columns absent). Checked by hand rather than with zod: this runs once
 * per event, and a zod parse would cost more than the hashing. A column of the
 * wrong type still stops verification.
 */
interface WindowRow {
  readonly position: string;
  readonly event_id: string | null;
  readonly stream_id: string | null;
  readonly stream_version: string | null;
  readonly event_type: string | null;
  readonly data: string | null;
  readonly metadata: string | null;
  readonly recorded_at: string | null;
  readonly chain_seq: string | null;
  readonly chain_prev: string | null;
  readonly chain_event_id: string | null;
  readonly chain_event_hash: string | null;
  readonly chain_hash: string | null;
}
const EVENT_TEXT_COLUMNS = ['event_id', 'stream_id', 'stream_version', 'event_type', 'data', 'metadata'] as const;
const NULLABLE_COLUMNS = ['recorded_at', 'chain_seq', 'chain_prev', 'chain_event_id', 'chain_event_hash', 'chain_hash'] as const;

function asWindowRow(raw: Record<string, unknown>, withEvent: boolean): WindowRow {
  if (typeof raw['position'] !== 'string') throw new Error('audit window row without a position');
  if (withEvent)
    for (const column of EVENT_TEXT_COLUMNS)
      if (typeof raw[column] !== 'string') throw new Error(`audit window row: ${column} is ${typeof raw[column]}, expected text`);
  for (const column of NULLABLE_COLUMNS) {
    const v = raw[column];
    if (v !== null && v !== undefined && typeof v !== 'string') throw new Error(`audit window row: ${column} is ${typeof v}, expected text`);
  }
  return raw as unknown as WindowRow;
}

/** a < b for decimal positions without leading zeros, without making bigints on the hot path. */
function before(a: string, b: string): boolean {
  return a.length === b.length ? a < b : a.length < b.length;
}

class ProblemList {
  readonly items: AuditProblem[] = [];
  count = 0;
  readonly #max: number;
  #lastPosition: bigint | null = null;

  constructor(max: number) {
    this.#max = max;
  }

  add(kind: AuditProblemKind, position: bigint, detail: string): void {
    this.count += 1;
    this.#lastPosition = position;
    if (this.items.length < this.#max) this.items.push({ kind, position, detail });
  }

  /** Whether something was already reported at `position` (a checkpoint there would only repeat it). */
  at(position: bigint): boolean {
    return this.#lastPosition === position;
  }
}

/**
 * Recomputes the chain from the events themselves and compares it, event by
 * event, with the stored chain rows and the signed checkpoints. Reads only.
 *
 * After a mismatch the walk continues from the STORED chain hash, so one
 * tampered event is reported once and later, independent tampering is still
 * found; the report lists problems in position order.
 */
export async function verifyAuditLog(client: SqlClient, options: AuditVerifyOptions): Promise<AuditVerification> {
  const from = options.from ?? 1n;
  const windowSize = BigInt(options.windowSize ?? 2_000);
  const problems = new ProblemList(options.maxProblems ?? 100);
  const warnings: string[] = [];
  const trust = options.trustedKeys === null ? 'log' : 'configured';

  const present = await auditTablesPresent(client);
  if (!present.events)
    throw new AuditUnavailableError('this database holds no Chorus event log (no chorus_events table): the audit covers PGlite and PostgreSQL logs');
  const logHead = BigInt(LogHeadRow.parse((await client.query(SELECT_LOG_HEAD)).rows[0]).head);
  if (!present.audit) {
    warnings.push('no audit chain in this database: the chain keeper has never run (CHORUS_AUDIT=on starts it with the server)');
    return {
      ok: true, from, to: options.to ?? 0n, chainHead: 0n, logHead, eventsChecked: 0, checkpointsChecked: 0,
      lastGoodCheckpoint: null, trust, warnings, problems: [], problemCount: 0,
    };
  }

  const headRow = (await client.query(SELECT_CHAIN_HEAD)).rows[0];
  const chainHead = headRow === undefined ? 0n : BigInt(HeadRow.parse(headRow).position);
  const to = options.to === undefined || options.to > chainHead ? chainHead : options.to;
  const keys = options.trustedKeys ?? (await keysRecordedInLog(client));
  if (trust === 'log')
    warnings.push('checkpoint signatures were checked against the public keys recorded in the log itself; set CHORUS_AUDIT_PUBLIC_KEY to check them against keys you trust');
  if (logHead > chainHead) warnings.push(`events after position ${chainHead} are not chained yet (log head ${logHead}): not verified`);

  const anchorRow = (await client.query(SELECT_CHAIN_BEFORE, [from.toString()])).rows[0];
  const anchor = anchorRow === undefined ? null : HeadRow.parse(anchorRow);
  let prevHash = anchor?.chain_hash ?? GENESIS_HASH;
  const prevPosition = anchor === null ? 0n : BigInt(anchor.position);
  let prevSeq = anchor === null ? 0 : Number(anchor.seq);

  const checkpoints: Checkpoint[] = (await client.query(SELECT_CHECKPOINTS_IN, [from.toString(), to.toString()])).rows.map((raw) => {
    const r = CheckpointRow.parse(raw);
    return { position: BigInt(r.position), at: r.position, chainHash: r.chain_hash, keyId: r.key_id, signature: r.signature };
  });
  let nextCheckpoint = 0;
  let checkpointsChecked = 0;
  let lastGoodCheckpoint: bigint | null = null;

  const checkCheckpoint = (cp: Checkpoint, storedChain: string | null, recomputedChain: string | null): void => {
    checkpointsChecked += 1;
    const key = keys.get(cp.keyId);
    if (key === undefined) {
      problems.add('untrusted_key', cp.position, `checkpoint signed by key ${cp.keyId}, which is ${trust === 'log' ? 'not recorded in the log' : 'not trusted'}`);
      return;
    }
    if (!verifySignature(key, checkpointMessage(cp.position, cp.chainHash), Buffer.from(cp.signature, 'hex'))) {
      problems.add('bad_signature', cp.position, `checkpoint signature does not verify with key ${cp.keyId} (forged or altered checkpoint)`);
      return;
    }
    if (storedChain === null) {
      if (!problems.at(cp.position)) problems.add('deleted', cp.position, 'a signed checkpoint names this position but no chained event is left there');
      return;
    }
    if (cp.chainHash !== storedChain || cp.chainHash !== recomputedChain) {
      if (!problems.at(cp.position))
        problems.add(
          'checkpoint_mismatch',
          cp.position,
          `the chain here differs from the signed one: an event after the previous checkpoint was altered and the chain recomputed`,
        );
      return;
    }
    lastGoodCheckpoint = cp.position;
  };
  /** Checkpoints at positions the walk has passed without finding a chained event there. */
  const checkpointsBefore = (position: string): void => {
    while (nextCheckpoint < checkpoints.length && before(checkpoints[nextCheckpoint]!.at, position))
      checkCheckpoint(checkpoints[nextCheckpoint++]!, null, null);
  };
  /** The checkpoint at `position`, if there is one; the recomputed chain hash is only worked out then. */
  const checkpointAt = (position: string, storedChain: string | null, recomputedChain: (() => string) | null): void => {
    if (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.at === position)
      checkCheckpoint(checkpoints[nextCheckpoint++]!, storedChain, recomputedChain === null ? null : recomputedChain());
  };

  let eventsChecked = 0;
  let idLookups = 0;
  // The walk's state: the last chained position seen and its STORED chain hash (re-anchoring, see above).
  let prevAt = prevPosition.toString();

  /** A chain row whose event is gone: reported, and the walk continues from its stored hash. */
  const orphan = (r: WindowRow): void => {
    checkpointsBefore(r.position);
    problems.add('deleted', BigInt(r.position), `event ${r.chain_event_id} chained here is missing`);
    prevHash = r.chain_hash!;
    prevAt = r.position;
    prevSeq = Number(r.chain_seq);
    checkpointAt(r.position, r.chain_hash, null);
  };

  /** The link from the previous chained event to this chain row; only called for an intact event (hash `eh`). */
  const checkLink = (r: WindowRow, eh: string): void => {
    if (r.chain_prev !== prevAt) {
      if (before(prevAt, r.chain_prev!))
        problems.add('deleted', BigInt(r.chain_prev!), `the event chained at ${r.chain_prev} is missing together with its chain row (next chained event: ${r.position})`);
      else problems.add('chain_altered', BigInt(r.position), `chain row links to position ${r.chain_prev}, expected ${prevAt}`);
      return;
    }
    if (Number(r.chain_seq) !== prevSeq + 1) {
      problems.add('chain_altered', BigInt(r.position), `chain row has rank ${r.chain_seq}, expected ${prevSeq + 1}`);
      return;
    }
    if (chainHash(prevHash, eh) !== r.chain_hash)
      problems.add('chain_altered', BigInt(r.position), 'chain row does not link to the previous chain hash');
  };

  /** Chain rows without events between the last chained position and `until` (exclusive), in order. */
  const orphansBefore = async (until: string): Promise<void> => {
    const { rows } = await client.query<Record<string, unknown>>(SELECT_WINDOW_ORPHANS, [prevAt, until]);
    for (const raw of rows) orphan(asWindowRow(raw, false));
  };

  const total = to >= from ? Number(to - from + 1n) : 0;
  const fetchWindow = (after: bigint): { readonly hi: bigint; readonly rows: Promise<Record<string, unknown>[]> } => {
    const hi = after + windowSize < to ? after + windowSize : to;
    const rows = client.query<Record<string, unknown>>(SELECT_WINDOW_EVENTS, [after.toString(), hi.toString()]).then((r) => r.rows);
    // Awaited below or dropped after a jump; never left to reject unobserved.
    rows.catch(() => undefined);
    return { hi, rows };
  };
  let lo = from - 1n;
  // The next window is requested before this one is hashed: PostgreSQL reads and converts
  // rows while this process hashes (on PGlite the query just waits its turn).
  let pending = lo < to ? fetchWindow(lo) : null;
  while (pending !== null) {
    const { hi } = pending;
    const rows = await pending.rows;
    pending = hi < to && rows.length > 0 ? fetchWindow(hi) : null;
    for (const raw of rows) {
      const r = asWindowRow(raw, true);
      if (r.chain_hash === null) {
        checkpointsBefore(r.position);
        eventsChecked += 1;
        problems.add('inserted', BigInt(r.position), `event ${r.event_id} (${r.event_type} in ${r.stream_id}) was never chained: added after the chain passed here`);
        checkpointAt(r.position, null, null);
        continue;
      }
      // A link that skips a rank or a position: look for chain rows whose event was deleted, first.
      if (r.chain_prev !== prevAt || Number(r.chain_seq) !== prevSeq + 1) await orphansBefore(r.position);
      checkpointsBefore(r.position);
      eventsChecked += 1;
      const eh = eventHash({
        position: r.position,
        eventId: r.event_id!,
        streamId: r.stream_id!,
        streamVersion: r.stream_version!,
        type: r.event_type!,
        data: r.data!,
        metadata: r.metadata!,
        recordedAt: r.recorded_at,
      });
      const chainedAfter = prevHash;
      if (r.event_id !== r.chain_event_id) {
        // A scan of the chain table per lookup: bounded, so a log shuffled wholesale still verifies in linear time.
        const moved = idLookups++ < MAX_ID_LOOKUPS ? (await client.query(SELECT_CHAINED_POSITION_OF, [r.event_id])).rows[0] : null;
        if (moved === undefined) problems.add('modified', BigInt(r.position), `event id changed from ${r.chain_event_id} to ${r.event_id}`);
        else if (moved === null)
          problems.add('modified', BigInt(r.position), `holds event ${r.event_id} instead of ${r.chain_event_id} (moved or replaced; not looked up)`);
        else
          problems.add('reordered', BigInt(r.position), `holds event ${r.event_id}, which was chained at position ${PositionRow.parse(moved).position}`);
      } else if (eh !== r.chain_event_hash) {
        problems.add('modified', BigInt(r.position), `event ${r.event_id} (${r.event_type} in ${r.stream_id}) does not hash as chained`);
      } else {
        checkLink(r, eh);
      }
      prevHash = r.chain_hash;
      prevAt = r.position;
      prevSeq = Number(r.chain_seq);
      checkpointAt(r.position, r.chain_hash, () => chainHash(chainedAfter, eh));
    }
    lo = hi;
    if (rows.length === 0 && lo < to) {
      // A long run of positions without events: jump to the next one that holds anything.
      const next = NextRow.parse((await client.query(SELECT_NEXT_POSITION, [lo.toString()])).rows[0]).next;
      const jump = next === null ? to : BigInt(next) - 1n;
      if (jump > lo) lo = jump < to ? jump : to;
      pending = lo < to ? fetchWindow(lo) : null;
    }
    options.onProgress?.({ done: Number(lo - from + 1n), total });
  }
  if (to >= from) await orphansBefore((to + 1n).toString());
  checkpointsBefore((to + 1n).toString());

  if (options.to === undefined || options.to > chainHead) {
    const beyond = (await client.query(SELECT_FIRST_CHECKPOINT_AFTER, [chainHead.toString()])).rows[0];
    if (beyond !== undefined)
      problems.add(
        'truncated',
        chainHead + 1n,
        `a signed checkpoint names position ${PositionRow.parse(beyond).position}, but the chain ends at ${chainHead}: its tail was removed`,
      );
  }
  if (checkpointsChecked === 0 && to >= from)
    warnings.push('no signed checkpoint in this range: a rewrite of both the events and the chain rows would not be detected');

  return {
    ok: problems.count === 0,
    from,
    to,
    chainHead,
    logHead,
    eventsChecked,
    checkpointsChecked,
    lastGoodCheckpoint,
    trust,
    warnings,
    problems: problems.items,
    problemCount: problems.count,
  };
}

/** The public keys the log records, each kept only if its id really is its fingerprint. */
async function keysRecordedInLog(client: SqlClient): Promise<AuditKeyRing> {
  const ring = new Map<string, KeyObject>();
  for (const raw of (await client.query(SELECT_KEYS)).rows) {
    const row = KeyRow.parse(raw);
    try {
      const key = createPublicKey(row.public_key);
      if (key.asymmetricKeyType === 'ed25519' && keyIdOf(key) === row.key_id) ring.set(row.key_id, key);
    } catch {
      // An unreadable key row: checkpoints naming it are reported as signed by an unknown key.
    }
  }
  return ring;
}
