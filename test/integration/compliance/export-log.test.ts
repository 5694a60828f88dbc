import assert from 'node:assert/strict';
import { it } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { ZodError } from 'zod';
import { canonicalJson } from '../../../src/compliance/canonical-json.ts';
import { CSV_COLUMNS } from '../../../src/compliance/csv-formatter.ts';
import { ExportFilterSchema, type ExportFilterInput, type ExportFormat } from '../../../src/compliance/export-filter.ts';
import { exportLog } from '../../../src/compliance/export-log.ts';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { auditTimelineProjection } from '../../../src/projections/audit-timeline/audit-timeline-projection.ts';
import { unifiedTimeline } from '../../../src/projections/audit-timeline/unified-timeline.ts';
import { openDomainEventStore } from '../../support/projection-test-store.ts';
import { forEachReadModelBackend } from '../../support/read-model-suite.ts';
import { WAIT_MS } from '../projections/domain-read-model-harness.ts';
import { ALICE, auditDay, BOB, copyLog, DAVE, HOSTILE_BODY, HOSTILE_NOTE } from './audit-day-scenario.ts';

interface JsonlLine {
  globalPosition: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** Sorted-key JSON by a second route (JSON.parse + canonicalJson), to check a line's key order. */
function recanonical(line: string): string {
  return canonicalJson(JSON.parse(line) as unknown);
}

forEachReadModelBackend<DomainEvent>('compliance export', { openStore: openDomainEventStore }, (suite) => {
  async function run(format: ExportFormat, filter: ExportFilterInput = {}, batchSize?: number): Promise<string> {
    const result = await exportLog(suite.store, { format, filter: ExportFilterSchema.parse(filter), ...(batchSize === undefined ? {} : { batchSize }) });
    let text = '';
    for await (const chunk of result.chunks) text += chunk;
    return text;
  }

  async function load(): Promise<void> {
    await copyLog((await auditDay()).store, suite.store);
  }

  it('JSONL: every event of the log once, in order, one per line, canonical key order at every depth', async () => {
    await load();
    const text = await run('jsonl');
    const lines = text.split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    const head = await suite.store.headPosition();
    assert.equal(lines.length, Number(head));
    const parsed = lines.map((l) => JSON.parse(l) as JsonlLine);
    assert.deepEqual(parsed.map((e) => e.globalPosition), Array.from({ length: lines.length }, (_, i) => String(i + 1)));
    for (const line of lines) assert.equal(line, recanonical(line));
    assert.deepEqual(Object.keys(parsed[0]!), ['data', 'globalPosition', 'id', 'metadata', 'streamId', 'streamVersion', 'type']);
    // The events themselves: the archived IM body is there (the audit summary never has it).
    const sent = parsed.find((e) => e.type === 'im.message_sent.v1');
    assert.equal(sent?.data['body'], HOSTILE_BODY);
    const original = (await suite.store.readAll({ limit: 100 })).find((e) => e.type === 'im.message_sent.v1');
    assert.deepEqual(sent?.data, original?.data);
    assert.deepEqual(sent?.metadata, original?.metadata);
  });

  it('is deterministic: the same log and filter give byte-equal files in every format, whatever the read batch size', async () => {
    await load();
    for (const format of ['jsonl', 'csv', 'html'] as const) {
      const filter = { users: [BOB, ALICE, BOB], from: '2024-05-01T09:30:00+00:00' };
      const first = await run(format, filter);
      assert.equal(await run(format, { users: [ALICE, BOB], from: '2024-05-01T09:30:00.000Z' }, 3), first, `${format}: an equal filter, other batches`);
      assert.equal(await run(format, filter), first, format);
      assert.ok(first.length > 200, format);
    }
  });

  it("a user filter keeps exactly the events on that user's audit timeline; a window and workloads narrow it", async () => {
    await load();
    const runner = suite.runner(auditTimelineProjection);
    await runner.start();
    await runner.waitForPosition(await suite.store.headPosition(), WAIT_MS);
    for (const user of [ALICE, BOB, DAVE]) {
      const exported = (await run('jsonl', { users: [user] })).trim().split('\n').map((l) => (JSON.parse(l) as JsonlLine).globalPosition);
      const timeline = (await unifiedTimeline(suite.client, { user, limit: 1000 })).items.map((i) => String(i.position));
      assert.deepEqual(exported, timeline, user);
    }
    const calls = (await run('jsonl', { users: [DAVE], workloads: ['calls'], from: '2024-05-01T11:00:00Z', to: '2024-05-01T12:00:00Z' }))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as JsonlLine).type);
    assert.deepEqual(calls, ['call.forwarded.v1', 'call.routed.v1', 'call.answered.v1', 'call.ended.v1']);
    assert.equal(await run('jsonl', { users: [DAVE], workloads: ['im'] }), '', 'dave took no part in IM');
    assert.equal(await run('csv', { users: [DAVE], workloads: ['im'] }), `${CSV_COLUMNS.join(',')}\r\n`, 'a CSV with no rows still has its header');
  });

  it('CSV: a header, then the fixed columns for every event, RFC 4180 quoted', async () => {
    await load();
    const text = await run('csv', { users: [ALICE] });
    const rows = text.split('\r\n');
    assert.equal(rows.pop(), '');
    assert.equal(rows[0], CSV_COLUMNS.join(','));
    const provisioned = rows[1]!;
    assert.match(provisioned, /^1,2024-05-01T09:00:00\.000Z,\d{4}-\d\d-\d\dT[\d:.]+Z,directory,directory\.user_provisioned\.v1,user-alice@example\.test,0,/);
    assert.ok(provisioned.includes(',sip:alice@example.test[user],"{""at"":""2024-05-01T09:00:00.000Z"",'), provisioned);
    assert.ok(provisioned.includes('""displayName"":""Alice <Admin>""'), provisioned);
    const published = rows.find((r) => r.includes('presence.published.v1'));
    assert.ok(published?.includes(HOSTILE_NOTE.replace(/"/g, '\\""')), 'the note, JSON-escaped inside a quoted cell');
  });

  it('HTML: one section per user, every value escaped, nothing executable, self-contained', async () => {
    await load();
    const page = await run('html');
    assert.ok(page.startsWith('<!DOCTYPE html>'));
    for (const user of [ALICE, BOB, DAVE, 'sip:carol@example.test']) assert.ok(page.includes(`<h2>${user}</h2>`), user);
    assert.ok(page.includes('<h2>Events concerning no user</h2>'), 'call-2 begins from a tel: number');
    assert.ok(!page.includes('<script'), 'no script element, not even from an IM body');
    assert.ok(!page.includes('<img'), 'no element from a presence note');
    assert.ok(!page.includes('<b>bold'));
    assert.ok(page.includes('body: &lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;'));
    assert.ok(page.includes('note: out &lt;img src=x onerror=alert(1)&gt; &quot;back&quot; soon'));
    assert.ok(page.includes('Alice &lt;Admin&gt;'));
    assert.ok(!/(src|href)="(https?:)?\/\//.test(page), 'no external resources');
    const bobOnly = await run('html', { users: [BOB] });
    assert.ok(bobOnly.includes(`<h2>${BOB}</h2>`));
    assert.ok(!bobOnly.includes(`<h2>${ALICE}</h2>`), 'other parties get no section of their own');
    assert.ok(!bobOnly.includes('Events concerning no user'));
  });

  it("an event outside the audit timeline (a legal hold) goes to the export of the user its data names, under 'privacy'", async () => {
    await load();
    await suite.store.append(
      'privacy-alice@example.test',
      [
        {
          id: uuidv7(),
          type: 'privacy.legal_hold_placed.v1',
          data: { sipUri: ALICE, reason: 'case 42', at: '2024-05-01T14:00:00.000Z' },
          metadata: { occurredAt: '2024-05-01T14:00:00.000Z', correlationId: 'hold', causationId: null, actor: 'admin', node: 'test' },
        },
      ],
      { expectedVersion: 'no_stream' },
    );
    const types = async (filter: ExportFilterInput) =>
      (await run('jsonl', filter)).trim().split('\n').map((l) => (JSON.parse(l) as JsonlLine).type);
    assert.equal((await types({ users: [ALICE] })).at(-1), 'privacy.legal_hold_placed.v1');
    assert.ok(!(await types({ users: [BOB] })).includes('privacy.legal_hold_placed.v1'));
    assert.deepEqual(await types({ workloads: ['privacy'] }), ['privacy.legal_hold_placed.v1']);
    assert.match(await run('csv', { workloads: ['privacy'] }), /,privacy,privacy\.legal_hold_placed\.v1,privacy-alice@example\.test,0,.*,sip:alice@example\.test\[user\],/);
  });

  it('refuses a bad filter with the field (ZodError) before reading anything', () => {
    const paths = (input: unknown): string[] => {
      const result = ExportFilterSchema.safeParse(input);
      assert.ok(!result.success);
      assert.ok(result.error instanceof ZodError);
      return result.error.issues.map((i) => i.path.join('.')).sort();
    };
    assert.deepEqual(paths({ from: '2024-05-02T00:00:00Z', to: '2024-05-01T00:00:00Z' }), ['to']);
    assert.deepEqual(paths({ from: 'monday' }), ['from']);
    assert.deepEqual(paths({ users: ['alice'], workloads: ['fax'] }), ['users.0', 'workloads.0']);
  });
});
