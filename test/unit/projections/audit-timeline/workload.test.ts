import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { domainCatalogue } from '../../../../src/events/domain/domain-catalogue.ts';
import { WORKLOAD_TYPE_PREFIX, WorkloadListSchema, workloadOf } from '../../../../src/projections/audit-timeline/workload.ts';

describe('workloads', () => {
  it('every event type of the catalogue belongs to exactly one workload (a new area must be classified)', () => {
    for (const type of domainCatalogue.types) {
      const workload = workloadOf(type);
      assert.ok(type.startsWith(WORKLOAD_TYPE_PREFIX[workload]), type);
    }
    assert.equal(workloadOf('call.ended.v1'), 'calls');
    assert.equal(workloadOf('endpoint.registered.v1'), 'registrations');
    assert.throws(() => workloadOf('fax.sent.v1'), RangeError);
  });

  it('parses a comma list into a deduplicated list in canonical order, and names a bad entry', () => {
    assert.deepEqual(WorkloadListSchema.parse('calls, im,calls'), ['im', 'calls']);
    const bad = WorkloadListSchema.safeParse('im,sms');
    assert.ok(!bad.success);
    assert.deepEqual(bad.error.issues.map((i) => i.path), [[1]]);
    assert.ok(!WorkloadListSchema.safeParse('').success);
  });
});
