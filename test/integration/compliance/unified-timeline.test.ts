import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ZodError } from 'zod';
import type { DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { AUDIT_TIMELINE_TABLES, auditTimelineProjection } from '../../../src/projections/audit-timeline/audit-timeline-projection.ts';
import { logTimeline } from '../../../src/projections/audit-timeline/log-timeline.ts';
import { unifiedTimeline } from '../../../src/projections/audit-timeline/unified-timeline.ts';
import type { UnifiedTimelineItem } from '../../../src/projections/audit-timeline/unified-timeline-item.ts';
import type { UnifiedTimelineQuery } from '../../../src/projections/audit-timeline/unified-timeline-query.ts';
import { openDomainEventStore } from '../../support/projection-test-store.ts';
import { forEachReadModelBackend } from '../../support/read-model-suite.ts';
import { assertRebuildsAreByteEqual, WAIT_MS } from '../projections/domain-read-model-harness.ts';
import { ALICE, auditDay, BOB, copyLog, DAVE } from './audit-day-scenario.ts';

type Query = Omit<UnifiedTimelineQuery, 'limit' | 'after'>;

forEachReadModelBackend<DomainEvent>('unified timeline', { openStore: openDomainEventStore }, (suite) => {
  async function projected() {
    const scenario = await auditDay();
    await copyLog(scenario.store, suite.store);
    const runner = suite.runner(auditTimelineProjection, { batchSize: 4 });
    await runner.start();
    await runner.waitForPosition(await suite.store.headPosition(), WAIT_MS);
    return runner;
  }

  /** Every page of a query, following `next`, with pages of `limit`. */
  async function allPages(query: Query, limit: number, read = (q: UnifiedTimelineQuery) => unifiedTimeline(suite.client, q)) {
    const items: UnifiedTimelineItem[] = [];
    let pages = 0;
    let after: bigint | undefined;
    for (;;) {
      const page = await read({ ...query, limit, ...(after === undefined ? {} : { after }) });
      pages++;
      items.push(...page.items);
      if (page.next === null) return { items, pages };
      after = page.next;
    }
  }

  it("joins one user's IM, presence, registrations, calls and conferences in log order, with every party", async () => {
    await projected();
    const { items } = await allPages({ user: BOB }, 1000);
    assert.deepEqual(
      items.map((i) => [i.workload, i.eventType]),
      [
        ['directory', 'directory.user_provisioned.v1'],
        ['presence', 'presence.watcher_subscribed.v1'],
        ['voice', 'voice.forwarding_set.v1'],
        ['im', 'im.session_started.v1'],
        ['im', 'im.message_sent.v1'],
        ['im', 'im.session_ended.v1'],
        ['calls', 'call.routed.v1'],
        ['calls', 'call.forwarded.v1'],
        ['calls', 'call.routed.v1'],
        ['calls', 'call.answered.v1'],
        ['calls', 'call.ended.v1'],
        ['conferences', 'conference.participant_joined.v1'],
        ['presence', 'presence.watcher_unsubscribed.v1'],
      ],
    );
    for (let i = 1; i < items.length; i++) assert.ok(items[i]!.position > items[i - 1]!.position);
    const forwarded = items.find((i) => i.eventType === 'call.forwarded.v1');
    assert.deepEqual(forwarded?.parties, [
      { sipUri: BOB, as: ['forwarded_from', 'callee'] },
      { sipUri: DAVE, as: ['forward_target'] },
      { sipUri: 'sip:carol@example.test', as: ['caller'] },
    ]);
    assert.deepEqual(forwarded?.summary, { sipCallId: 'call-1', reason: 'no_answer', from: BOB, to: DAVE });
    assert.equal(forwarded?.occurredAt, '2024-05-01T11:00:00.000Z');
  });

  it('gives everyone in [from, to): the window includes from, excludes to, and holds events that concern nobody', async () => {
    await projected();
    const { items } = await allPages({ from: '2024-05-01T11:00:00Z', to: '2024-05-01T12:00:00.000Z' }, 1000);
    assert.deepEqual(
      items.map((i) => i.eventType),
      ['call.initiated.v1', 'call.routed.v1', 'call.forwarded.v1', 'call.routed.v1', 'call.answered.v1', 'call.ended.v1', 'call.initiated.v1', 'call.routed.v1'],
    );
    // call-2 starts from a tel: number: no user yet.
    assert.deepEqual(items[6]?.parties, []);
    // Offsets are instants: 12:00Z to 12:00:00.001Z, the conference's minute.
    const offsets = await allPages({ from: '2024-05-01T14:00:00+02:00', to: '2024-05-01T13:00:00.001+01:00' }, 1000);
    assert.ok(offsets.items.length >= 3);
    assert.deepEqual(new Set(offsets.items.map((i) => i.workload)), new Set(['conferences']));
    const conferences = await allPages({ from: '2024-05-01T00:00:00Z', to: '2024-05-02T00:00:00Z', workloads: ['conferences', 'im'] }, 1000);
    assert.deepEqual(new Set(conferences.items.map((i) => i.workload)), new Set(['im', 'conferences']));
    assert.equal(conferences.items.length, 3 + 4);
    const aliceMorning = await allPages({ user: ALICE, from: '2024-05-01T09:00:00Z', to: '2024-05-01T10:00:00Z' }, 1000);
    assert.deepEqual(aliceMorning.items.map((i) => i.eventType), [
      'directory.user_provisioned.v1',
      'endpoint.registered.v1',
      'presence.published.v1',
      'presence.watcher_subscribed.v1',
    ]);
  });

  it('pages by a keyset on log position: small pages add up to the whole, each `next` is the last position of its page', async () => {
    await projected();
    const whole = await allPages({ from: '2024-05-01T00:00:00Z', to: '2024-05-02T00:00:00Z' }, 1000);
    const paged = await allPages({ from: '2024-05-01T00:00:00Z', to: '2024-05-02T00:00:00Z' }, 3);
    assert.deepEqual(paged.items, whole.items);
    assert.equal(paged.pages, Math.floor(whole.items.length / 3) + 1);
    const first = await unifiedTimeline(suite.client, { user: BOB, limit: 5 });
    assert.equal(first.next, first.items.at(-1)?.position);
    const second = await unifiedTimeline(suite.client, { user: BOB, limit: 5, after: first.next! });
    assert.ok(second.items[0]!.position > first.next!);
  });

  it('folds the same timeline from the log as the read model holds (offline CLI), page for page', async () => {
    await projected();
    const read = (q: UnifiedTimelineQuery) => logTimeline(suite.store, q);
    for (const query of [{ user: ALICE }, { user: DAVE }, { from: '2024-05-01T09:30:00Z', to: '2024-05-01T12:30:00Z' }, { user: BOB, workloads: ['calls' as const] }])
      assert.deepEqual(await allPages(query, 4, read), await allPages(query, 4), JSON.stringify(query));
  });

  it('refuses an inverted or empty window, a missing mode and a bad limit (ZodError, with the field)', async () => {
    const paths = async (q: UnifiedTimelineQuery) => {
      const error = await unifiedTimeline(suite.client, q).then(
        () => assert.fail('accepted'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ZodError);
      return error.issues.map((i) => i.path.join('.')).sort();
    };
    assert.deepEqual(await paths({ from: '2024-05-02T00:00:00Z', to: '2024-05-01T00:00:00Z', limit: 10 }), ['to']);
    assert.deepEqual(await paths({ from: '2024-05-01T00:00:00Z', to: '2024-05-01T00:00:00Z', limit: 10 }), ['to']);
    assert.deepEqual(await paths({ limit: 10 }), ['from', 'to']);
    assert.deepEqual(await paths({ user: ALICE, from: 'yesterday', limit: 0 }), ['from', 'limit']);
  });

  it('rebuilds twice to byte-equal tables, audit_events included', async () => {
    const runner = await projected();
    const dump = await assertRebuildsAreByteEqual(runner, suite.client, AUDIT_TIMELINE_TABLES);
    assert.match(dump, /-- audit_events/);
    assert.match(dump, /"forward_target"/);
  });
});
