import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DomainWorkload } from '../../../bench/projections-workload.ts';
import { AuditSigner, parsePublicKeys } from '../../../src/audit/audit-keys.ts';
import { verifyAuditLog, type AuditVerification } from '../../../src/audit/audit-verifier.ts';
import { ChainKeeper } from '../../../src/audit/chain-keeper.ts';
import { domainCatalogue } from '../../../src/events/domain/domain-catalogue.ts';
import type { EventStore } from '../../../src/events/event-store.ts';
import { PgliteEventStore } from '../../../src/events/store/pglite/pglite-event-store.ts';
import { PostgresEventStore } from '../../../src/events/store/postgres/postgres-event-store.ts';
import type { PgClient } from '../../../src/storage/pg-client.ts';
import { PgliteClient } from '../../../src/storage/pglite-client.ts';
import type { SqlClient } from '../../../src/storage/sql-client.ts';
import { readModelBackends } from '../../support/projection-backends.ts';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';

const EVENTS = 300;
const CHECKPOINT_EVERY = 50;

const EVENT_COLUMNS = 'global_position, event_id, stream_id, stream_version, event_type, data, metadata';

/** Saved once the log is chained; every test tampers, then the log is put back exactly. */
const SAVE = /* sql */ `
CREATE TABLE saved_events AS SELECT ${EVENT_COLUMNS} FROM chorus_events;
CREATE TABLE saved_chain AS SELECT * FROM chorus_audit_chain;
CREATE TABLE saved_checkpoints AS SELECT * FROM chorus_audit_checkpoints;`;
const RESTORE = /* sql */ `
DELETE FROM chorus_events; DELETE FROM chorus_audit_chain; DELETE FROM chorus_audit_checkpoints;
INSERT INTO chorus_events (${EVENT_COLUMNS}) OVERRIDING SYSTEM VALUE SELECT ${EVENT_COLUMNS} FROM saved_events;
INSERT INTO chorus_audit_chain SELECT * FROM saved_chain;
INSERT INTO chorus_audit_checkpoints SELECT * FROM saved_checkpoints;`;

/** Moves two whole rows to each other's positions (global_position is GENERATED ALWAYS: delete and re-insert). */
function swapRows(p: number, q: number): string {
  return /* sql */ `
CREATE TEMP TABLE moved AS SELECT ${EVENT_COLUMNS} FROM chorus_events WHERE global_position IN (${p}, ${q});
DELETE FROM chorus_events WHERE global_position IN (${p}, ${q});
INSERT INTO chorus_events (${EVENT_COLUMNS}) OVERRIDING SYSTEM VALUE
  SELECT CASE global_position WHEN ${p} THEN ${q} ELSE ${p} END, event_id, stream_id, stream_version, event_type, data, metadata FROM moved;
DROP TABLE moved;`;
}

async function seed(store: EventStore<DomainEvent>): Promise<void> {
  const workload = new DomainWorkload({ events: EVENTS, users: 8, roundEvents: 60 });
  for (const round of workload.rounds())
    for (const append of round) await store.append(append.streamId, append.events, { expectedVersion: append.expectedVersion });
}

function first(report: AuditVerification): { kind: string; position: bigint } | undefined {
  const p = report.problems[0];
  return p && { kind: p.kind, position: p.position };
}

for (const backend of readModelBackends) {
  describe(`audit chain on ${backend.name}`, { skip: backend.skip ?? false }, () => {
    let client: SqlClient;
    let store: EventStore<DomainEvent>;
    const signer = AuditSigner.ephemeral();
    const trusted = parsePublicKeys(signer.publicKeyPem);
    let head: bigint;

    before(async () => {
      client = await backend.open();
      await backend.reset(client);
      store =
        client instanceof PgliteClient
          ? await PgliteEventStore.open({ client, catalogue: domainCatalogue })
          : await PostgresEventStore.open({ client: client as PgClient, catalogue: domainCatalogue, listen: false });
      await seed(store);
      head = await store.headPosition();
      const keeper = await ChainKeeper.open({ client, signer, checkpointEvery: CHECKPOINT_EVERY, checkpointSeconds: 0, batchSize: 64 });
      assert.equal(await keeper.catchUp(), Number(head));
      await keeper.close();
      await client.exec(SAVE);
    });

    after(async () => {
      await store?.close();
      await client?.close();
    });

    const verify = (range: { from?: bigint; to?: bigint } = {}) => verifyAuditLog(client, { ...range, trustedKeys: trusted, windowSize: 70 });
    const restore = () => client.exec(RESTORE);

    it('an untouched log verifies: every event checked, every checkpoint signed and matching', async () => {
      const report = await verify();
      assert.deepEqual(report.problems, []);
      assert.equal(report.ok, true);
      assert.equal(report.eventsChecked, Number(head));
      assert.equal(report.chainHead, head);
      assert.equal(report.checkpointsChecked, Math.floor(Number(head) / CHECKPOINT_EVERY));
      assert.equal(report.lastGoodCheckpoint, BigInt(Math.floor(Number(head) / CHECKPOINT_EVERY) * CHECKPOINT_EVERY));
      assert.equal(report.trust, 'configured');
    });

    it('a sub-range verifies from the chain row before it', async () => {
      const report = await verify({ from: 100n, to: 200n });
      assert.equal(report.ok, true);
      assert.equal(report.eventsChecked, 101);
      assert.equal(report.checkpointsChecked, 3);
    });

    it('edited data: the first modified position is reported, once', async () => {
      try {
        await client.query(`UPDATE chorus_events SET data = data || '{"tampered": true}' WHERE global_position = 137`);
        const report = await verify();
        assert.equal(report.ok, false);
        assert.deepEqual(first(report), { kind: 'modified', position: 137n });
        assert.equal(report.problemCount, 1, JSON.stringify(report.problems, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
        // A range after the tampering is clean; one that covers it is not.
        assert.equal((await verify({ from: 138n })).ok, true);
        assert.equal(first(await verify({ from: 100n, to: 140n }))?.position, 137n);
      } finally {
        await restore();
      }
    });

    it('edited metadata (recordedAt) is a modification too', async () => {
      try {
        await client.query(
          `UPDATE chorus_events SET metadata = jsonb_set(metadata, '{recordedAt}', '"2020-01-01T00:00:00.000000Z"') WHERE global_position = 12`,
        );
        assert.deepEqual(first(await verify()), { kind: 'modified', position: 12n });
      } finally {
        await restore();
      }
    });

    it('a deleted row is reported at its position', async () => {
      try {
        await client.query('DELETE FROM chorus_events WHERE global_position = 88');
        const report = await verify();
        assert.deepEqual(first(report), { kind: 'deleted', position: 88n });
        assert.equal(report.problemCount, 1);
      } finally {
        await restore();
      }
    });

    it('a row deleted together with its chain row is still named, by the next chain row', async () => {
      try {
        await client.exec('DELETE FROM chorus_events WHERE global_position = 77; DELETE FROM chorus_audit_chain WHERE position = 77');
        assert.deepEqual(first(await verify()), { kind: 'deleted', position: 77n });
      } finally {
        await restore();
      }
    });

    it('two rows moved to each other’s positions: reordered, at the first of them', async () => {
      try {
        await client.exec(swapRows(203, 150));
        const report = await verify();
        assert.deepEqual(first(report), { kind: 'reordered', position: 150n });
        assert.match(report.problems[0]!.detail, /chained at position 203/);
        assert.deepEqual(report.problems.map((p) => p.position), [150n, 203n]);
      } finally {
        await restore();
      }
    });

    it('two rows swapping their data: both modified, the first position reported first', async () => {
      try {
        await client.query(
          `UPDATE chorus_events e SET data = o.data FROM chorus_events o
            WHERE (e.global_position = 61 AND o.global_position = 64) OR (e.global_position = 64 AND o.global_position = 61)`,
        );
        const report = await verify();
        assert.deepEqual(first(report), { kind: 'modified', position: 61n });
        assert.deepEqual(report.problems.map((p) => p.position), [61n, 64n]);
      } finally {
        await restore();
      }
    });

    it('an event inserted behind the keeper (a position the chain skipped) is reported', async () => {
      try {
        await client.exec(`
          DELETE FROM chorus_events WHERE global_position = 95;
          INSERT INTO chorus_events (${EVENT_COLUMNS}) OVERRIDING SYSTEM VALUE
          SELECT 95, '01900000-0000-7000-8000-000000000001', stream_id, 9999, event_type, data, metadata FROM saved_events WHERE global_position = 94;
          DELETE FROM chorus_audit_chain WHERE position = 95;`);
        // The chain row at 96 still links to 95, so the removed chain row shows too; the first problem is at 95.
        assert.deepEqual(first(await verify()), { kind: 'inserted', position: 95n });
      } finally {
        await restore();
      }
    });

    it('a forged checkpoint signature is detected at the checkpoint', async () => {
      try {
        const forger = AuditSigner.ephemeral();
        const forged = forger.sign('{"chainHash":"00","position":"150"}').toString('hex');
        await client.query(`UPDATE chorus_audit_checkpoints SET signature = decode($1, 'hex') WHERE position = 150`, [forged]);
        const report = await verify();
        assert.deepEqual(first(report), { kind: 'bad_signature', position: 150n });
        assert.equal(report.problemCount, 1);
      } finally {
        await restore();
      }
    });

    it('a checkpoint re-signed by a key that is not trusted is detected', async () => {
      try {
        await client.query(`UPDATE chorus_audit_checkpoints SET key_id = 'ffffffffffffffffffffffffffffffff' WHERE position = 100`);
        assert.deepEqual(first(await verify()), { kind: 'untrusted_key', position: 100n });
      } finally {
        await restore();
      }
    });

    it('an edit with the chain recomputed behind it is caught by the next signed checkpoint', async () => {
      try {
        await client.exec(`
          UPDATE chorus_events SET data = data || '{"tampered": true}' WHERE global_position = 120;
          DELETE FROM chorus_audit_chain WHERE position >= 120;`);
        // The forger re-chains with a keeper that signs nothing (the real key is not theirs).
        const forger = await ChainKeeper.open({ client, signer: AuditSigner.ephemeral(), checkpointEvery: 1_000_000, checkpointSeconds: 0 });
        await forger.catchUp();
        await forger.close();
        const report = await verify();
        assert.deepEqual(first(report), { kind: 'checkpoint_mismatch', position: 150n });
      } finally {
        await restore();
      }
    });

    it('a removed tail (events and chain rows) is caught by a checkpoint past the end', async () => {
      try {
        await client.exec(`DELETE FROM chorus_events WHERE global_position > 240; DELETE FROM chorus_audit_chain WHERE position > 240;`);
        assert.deepEqual(first(await verify()), { kind: 'truncated', position: 241n });
      } finally {
        await restore();
      }
    });

    it('the keeper chains new appends after the head; time-based checkpoints sign the head', async () => {
      try {
        // The last checkpoint (at 300) was signed moments ago by the real clock: a minute later the head is due.
        const keeper = await ChainKeeper.open({
          client,
          signer,
          checkpointEvery: 1000,
          checkpointSeconds: 60,
          clock: () => new Date(Date.now() + 61_000),
        });
        const workload = new DomainWorkload({ events: 20, users: 2, roundEvents: 20 });
        // Fresh streams: the workload's stream names would collide with the seeded ones.
        for (const round of workload.rounds())
          for (const append of round)
            await store.append(`${append.streamId}x`, append.events.map((e) => ({ ...e, id: crypto.randomUUID().replace(/^(.{14})./, '$17') })), {
              expectedVersion: 'any',
            });
        const newHead = await store.headPosition();
        assert.equal(await keeper.catchUp(), Number(newHead - head));
        await keeper.close();
        const report = await verify();
        assert.equal(report.ok, true, JSON.stringify(report.problems, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
        assert.equal(report.lastGoodCheckpoint, newHead);
      } finally {
        await restore();
      }
    });
  });
}
