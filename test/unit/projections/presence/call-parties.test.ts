import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallEvent } from '../../../../src/events/domain/call-events.ts';
import { evolveTrackedCall, type CallPartiesChange, type TrackedCall } from '../../../../src/projections/presence/call-parties.ts';
import {
  ALICE,
  BOB,
  CAROL,
  DAVE,
  callAnswered,
  callEnded,
  callForwarded,
  callHeld,
  callInitiated,
  callParked,
  callResumed,
  callRetrieved,
  callRinging,
  callTransferred,
  routedToPstn,
  routedToUser,
} from './domain-event-fixtures.ts';

/** Folds the events; returns every step's change (the last one's call is the final state). */
function run(events: readonly CallEvent[]): CallPartiesChange[] {
  let call: TrackedCall | null = null;
  return events.map((e) => {
    const change = evolveTrackedCall(call, e);
    call = change.call;
    return change;
  });
}

const last = (changes: readonly CallPartiesChange[]) => changes.at(-1)!;

describe('evolveTrackedCall (who is in a call)', () => {
  it('nobody is in the call before it is answered; caller and routed user join on answer', () => {
    const steps = run([callInitiated('c1', ALICE), routedToUser('c1', BOB), callRinging('c1')]);
    assert.ok(steps.every((s) => s.joined.length === 0 && s.left.length === 0));
    assert.deepEqual(last(steps).call?.parties, []);
    const answered = evolveTrackedCall(last(steps).call, callAnswered('c1'));
    assert.deepEqual(answered.joined, [ALICE, BOB]);
    assert.deepEqual(answered.call?.parties, [ALICE, BOB]);
  });

  it('the callee is the target of the last route (after a forward)', () => {
    const steps = run([callInitiated('c1', ALICE), routedToUser('c1', BOB), callForwarded('c1', BOB, CAROL), routedToUser('c1', CAROL), callAnswered('c1')]);
    assert.deepEqual(last(steps).call?.parties, [ALICE, CAROL]);
  });

  it('PSTN parties are nobody\'s presence: a call to a number seats only the caller; from a number only the callee', () => {
    assert.deepEqual(last(run([callInitiated('c1', ALICE), routedToPstn('c1'), callAnswered('c1')])).call?.parties, [ALICE]);
    assert.deepEqual(last(run([callInitiated('c2', 'tel:+14255550100'), routedToUser('c2', BOB), callAnswered('c2')])).call?.parties, [BOB]);
  });

  it('held and parked calls keep everybody in the call', () => {
    const steps = run([callInitiated('c1', ALICE), routedToUser('c1', BOB), callAnswered('c1'), callHeld('c1', BOB), callResumed('c1', BOB), callParked('c1', BOB)]);
    for (const s of steps.slice(3)) assert.deepEqual([s.joined, s.left], [[], []]);
    assert.deepEqual(last(steps).call?.parties, [ALICE, BOB]);
    assert.equal(last(steps).call?.parkedBy, BOB);
  });

  it('retrieved by someone else: the retriever takes the parker\'s seat; by the parker: nothing moves', () => {
    const base = [callInitiated('c1', ALICE), routedToUser('c1', BOB), callAnswered('c1'), callParked('c1', BOB)];
    const other = last(run([...base, callRetrieved('c1', CAROL)]));
    assert.deepEqual([other.joined, other.left, other.call?.parties], [[CAROL], [BOB], [ALICE, CAROL]]);
    const same = last(run([...base, callRetrieved('c1', BOB)]));
    assert.deepEqual([same.joined, same.left, same.call?.parties, same.call?.parkedBy], [[], [], [ALICE, BOB], null]);
  });

  it('a blind transfer: the transferor leaves, the other party stays, the new target joins on answer', () => {
    const steps = run([
      callInitiated('c1', ALICE),
      routedToUser('c1', BOB),
      callAnswered('c1'),
      callTransferred('c1', BOB, DAVE),
      routedToUser('c1', DAVE),
      callAnswered('c1'),
    ]);
    assert.deepEqual([steps[3]!.left, steps[3]!.call?.parties], [[BOB], [ALICE]]);
    assert.deepEqual([steps[5]!.joined, steps[5]!.call?.parties], [[DAVE], [ALICE, DAVE]]);
  });

  it('ended: everybody leaves and the call is forgotten', () => {
    const end = last(run([callInitiated('c1', ALICE), routedToUser('c1', BOB), callAnswered('c1'), callEnded('c1')]));
    assert.deepEqual([end.call, end.joined, end.left], [null, [], [ALICE, BOB]]);
    const unanswered = last(run([callInitiated('c2', ALICE), routedToUser('c2', BOB), callEnded('c2')]));
    assert.deepEqual([unanswered.call, unanswered.left], [null, []]);
  });

  it('an event of a call never initiated changes nothing', () => {
    assert.deepEqual(evolveTrackedCall(null, callAnswered('ghost')), { call: null, joined: [], left: [] });
  });
});
