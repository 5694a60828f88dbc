import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatUri } from '../../../src/realtime/sip/uri.ts';
import { CallHarness, contactOf, dataOf, DOMAIN, typesOf } from './call-harness.ts';
import { answerCancel, inDialogFromCaller, respond, settle } from './proxy-peers.ts';

const user = (name: string) => `sip:${name}@${DOMAIN}`;

/**
 * Team call and delegates in the call router, on real UDP sockets over views
 * built from real events: who rings when, and the call events of every leg.
 */
describe('call router: team call and delegates (embedded engine, real UDP sockets)', () => {
  const h = new CallHarness();

  before(async () => {
    await h.start();
    const features = { forwarding: true, simultaneousRing: true, delegation: true, teamCall: true, callPark: false };
    await h.config('voicepolicy', 'Standard', { type: 'DefineVoicePolicy', data: { name: 'Standard', pstnUsages: ['Local'], features } });
    await h.provision('alice');
    await h.settled();
  });

  after(() => h.close());

  it('delegates ring with the boss at once, the team after its delay; a team member answers and the others are CANCELled', async () => {
    await h.provision('boss', { lineUri: 'tel:+14255550100', voice: { voicePolicy: 'Standard' } });
    for (const name of ['tina', 'dora']) await h.provision(name);
    const [b1, t1, d1, uac] = [await h.peer(), await h.peer(), await h.peer(), await h.peer()];
    await h.register('boss', b1);
    await h.register('tina', t1);
    await h.register('dora', d1);
    await h.user('boss', { type: 'SetTeamCall', data: { members: [user('tina')], ringAfterSeconds: 1 } });
    await h.user('boss', { type: 'SetDelegates', data: { delegates: [user('dora')] } });
    await h.settled();

    const started = Date.now();
    const invite = await h.invite(uac, 'alice', user('boss'));
    const [ib, id] = [await b1.inbox.request('INVITE'), await d1.inbox.request('INVITE')];
    assert.equal(formatUri(id.uri), contactOf('dora', d1));
    b1.send(respond(b1, ib, 180, 'tag-b1'));
    await uac.inbox.response(180, 'INVITE');
    // A branch is CANCELled only once it answered provisionally (RFC 3261 §9.1).
    d1.send(respond(d1, id, 180, 'tag-d1'));
    await settle(300);
    assert.deepEqual(t1.inbox.requests('INVITE'), [], 'the team waits its second');
    const it1 = await t1.inbox.request('INVITE');
    assert.ok(Date.now() - started >= 900, `the team rang after ${Date.now() - started} ms`);
    assert.equal(formatUri(it1.uri), contactOf('tina', t1));
    t1.send(respond(t1, it1, 200, 'tag-t1'));
    const ok = await uac.inbox.response(200, 'INVITE');
    uac.send(inDialogFromCaller(uac, invite, ok, 'ACK', 2));
    await t1.inbox.request('ACK');
    answerCancel(b1, ib, await b1.inbox.request('CANCEL'), 'tag-b1');
    answerCancel(d1, id, await d1.inbox.request('CANCEL'), 'tag-d1');

    const events = await h.callEvents(invite.headers.get('Call-ID') ?? '');
    assert.deepEqual(typesOf(events), ['initiated', 'routed', 'leg_added', 'ringing', 'leg_added', 'answered']);
    assert.deepEqual(dataOf(events, 'call.routed.v1').route, {
      kind: 'user',
      target: user('boss'),
      contacts: [contactOf('boss', b1), contactOf('dora', d1)],
    });
    const legs = events.flatMap((e) => (e.type === 'call.leg_added.v1' ? [e.data] : []));
    assert.deepEqual(
      legs.map(({ reason, onBehalfOf, member, contacts }) => ({ reason, onBehalfOf, member, contacts })),
      [
        { reason: 'delegate', onBehalfOf: user('boss'), member: user('dora'), contacts: [contactOf('dora', d1)] },
        { reason: 'team_call', onBehalfOf: user('boss'), member: user('tina'), contacts: [contactOf('tina', t1)] },
      ],
    );
    assert.equal(dataOf(events, 'call.answered.v1').contact, contactOf('tina', t1));

    uac.send(inDialogFromCaller(uac, invite, ok, 'BYE', 3));
    const bye = await t1.inbox.request('BYE');
    t1.send(respond(t1, bye, 200, 'tag-t1'));
    await uac.inbox.response(200, 'BYE');
    assert.equal(typesOf(await h.callEvents(invite.headers.get('Call-ID') ?? '')).at(-1), 'ended');
    assert.equal(h.router.recorder.failures, 0);
  });

  it('a team with no delay rings with the boss, never the caller themselves; the boss answers and the member is CANCELled', async () => {
    await h.provision('chief', { lineUri: 'tel:+14255550200', voice: { voicePolicy: 'Standard' } });
    await h.provision('tom');
    const [c1, tm, a1, uac] = [await h.peer(), await h.peer(), await h.peer(), await h.peer()];
    await h.register('chief', c1);
    await h.register('tom', tm);
    await h.register('alice', a1);
    await h.user('chief', { type: 'SetTeamCall', data: { members: [user('alice'), user('tom')] } });
    await h.settled();

    const invite = await h.invite(uac, 'alice', user('chief'));
    const [ic, itm] = [await c1.inbox.request('INVITE'), await tm.inbox.request('INVITE')];
    tm.send(respond(tm, itm, 180, 'tag-tm'));
    await uac.inbox.response(180, 'INVITE');
    c1.send(respond(c1, ic, 200, 'tag-c1'));
    const ok = await uac.inbox.response(200, 'INVITE');
    uac.send(inDialogFromCaller(uac, invite, ok, 'ACK', 2));
    answerCancel(tm, itm, await tm.inbox.request('CANCEL'), 'tag-tm');
    await settle();
    assert.deepEqual(a1.inbox.requests('INVITE'), [], 'the caller, a team member, is not rung');

    const events = await h.callEvents(invite.headers.get('Call-ID') ?? '');
    assert.deepEqual(typesOf(events), ['initiated', 'routed', 'leg_added', 'ringing', 'answered']);
    assert.deepEqual(dataOf(events, 'call.routed.v1').route, { kind: 'user', target: user('chief'), contacts: [contactOf('chief', c1), contactOf('tom', tm)] });
    assert.equal(dataOf(events, 'call.leg_added.v1').member, user('tom'));
    assert.equal(dataOf(events, 'call.answered.v1').contact, contactOf('chief', c1));
  });

  it('answered before the team delay: the team never rings and no team leg is recorded', async () => {
    await h.provision('head', { lineUri: 'tel:+14255550300', voice: { voicePolicy: 'Standard' } });
    await h.provision('tess');
    const [hd, ts, uac] = [await h.peer(), await h.peer(), await h.peer()];
    await h.register('head', hd);
    await h.register('tess', ts);
    await h.user('head', { type: 'SetTeamCall', data: { members: [user('tess')], ringAfterSeconds: 1 } });
    await h.settled();

    const invite = await h.invite(uac, 'alice', user('head'));
    const ih = await hd.inbox.request('INVITE');
    hd.send(respond(hd, ih, 200, 'tag-hd'));
    const ok = await uac.inbox.response(200, 'INVITE');
    uac.send(inDialogFromCaller(uac, invite, ok, 'ACK', 2));
    await settle(1300);
    assert.deepEqual(ts.inbox.requests('INVITE'), []);
    assert.deepEqual(typesOf(await h.callEvents(invite.headers.get('Call-ID') ?? '')), ['initiated', 'routed', 'answered']);
  });

  it('the boss offline: the delayed team rings at once instead of a 480', async () => {
    await h.provision('lead', { lineUri: 'tel:+14255550400', voice: { voicePolicy: 'Standard' } });
    await h.provision('toby');
    const [tb, uac] = [await h.peer(), await h.peer()];
    await h.register('toby', tb);
    await h.user('lead', { type: 'SetTeamCall', data: { members: [user('toby')], ringAfterSeconds: 30 } });
    await h.settled();

    const invite = await h.invite(uac, 'alice', user('lead'));
    const itb = await tb.inbox.request('INVITE');
    tb.send(respond(tb, itb, 200, 'tag-tb'));
    const ok = await uac.inbox.response(200, 'INVITE');
    uac.send(inDialogFromCaller(uac, invite, ok, 'ACK', 2));
    const events = await h.callEvents(invite.headers.get('Call-ID') ?? '');
    assert.deepEqual(typesOf(events), ['initiated', 'routed', 'leg_added', 'answered']);
    assert.deepEqual(dataOf(events, 'call.routed.v1').route, { kind: 'user', target: user('lead'), contacts: [contactOf('toby', tb)] });
  });
});
