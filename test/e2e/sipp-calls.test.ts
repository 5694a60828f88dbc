/**
 * SIPp calls through the real Standard Edition's call router: a user-to-user call answered and
 * hung up (CDR row), a call forwarded on unreachable, a PSTN call to a SIPp UAS standing in as
 * the gateway, and a CANCEL; each asserted in SIPp's counters and in the call.* events.
 * Users and voice configuration go through the HTTP API.
 *
 * SIP_DIGEST_ALGORITHMS=MD5: SIPp 3.6 computes only MD5 digests and answers only the FIRST
 * challenge, so the default SHA-256-first 407 would be answered wrongly and refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CdrPageSchema } from '../../src/api/contract/cdr-query-contract.ts';
import { userPath } from '../../src/api/contract/users-contract.ts';
import { voiceConfigPath } from '../../src/api/contract/voice-config-contract.ts';
import { freePort, SippProcess } from '../support/sipp/index.ts';
import { silentLogger } from '../support/silent-logger.ts';
import { assertAllSucceeded, e2eBackends, E2eEdition, sippUnavailableReason } from './e2e-harness.ts';

const FEATURES = { forwarding: true, simultaneousRing: true, delegation: false, teamCall: false, callPark: false };

for (const backend of e2eBackends()) {
  describe(`SIPp calls through the Standard Edition (${backend})`, { skip: sippUnavailableReason() ?? false }, () => {
    let e: E2eEdition;
    let gatewayPort: number;

    /** The SIP Call-ID of the one call `caller` placed to `dialled` (read from call.initiated). */
    const callIdOf = async (caller: string, dialled: string): Promise<string> => {
      const [initiated] = await e.waitForEvents('call.initiated.v1', 1, (d) => d['caller'] === e.uri(caller) && String(d['dialledString']).includes(dialled));
      return String(initiated?.['sipCallId']);
    };
    const dataOf = async (sipCallId: string, type: string) => (await e.callEvents(sipCallId)).find((x) => x.type === type)?.data as Record<string, unknown> | undefined;

    before(async () => {
      e = await E2eEdition.start({ backend, digestAlgorithms: 'MD5' });
      gatewayPort = await freePort();
      await e.api('PUT', voiceConfigPath('dialplan', 'E2E'), { rules: [{ pattern: '^9(\\d{10})$', translation: '+1$1' }] });
      await e.api('PUT', voiceConfigPath('voicepolicy', 'Standard'), { pstnUsages: ['Local'], features: FEATURES });
      await e.api('PUT', voiceConfigPath('gateway', 'gw1'), { address: `127.0.0.1:${gatewayPort}`, transport: 'udp' });
      await e.api('PUT', voiceConfigPath('pstnroute', 'US'), { priority: 1, numberPattern: '^\\+1\\d{10}$', pstnUsages: ['Local'], gateways: ['gw1'] });
      await e.provision('alice', { lineUri: 'tel:+14255550001', enterpriseVoiceEnabled: true, dialPlan: 'E2E', voicePolicy: 'Standard' });
      await e.provision('dave', { lineUri: 'tel:+14255550004', enterpriseVoiceEnabled: true, voicePolicy: 'Standard' });
      await e.provision(['bob', 'carol', 'erin']);
    });
    after(async () => e?.close());

    it('alice calls bob (a registered SIPp UAS): 407, 180, 200, ACK, BYE → initiated, routed, ringing, answered, ended; a CDR row', async () => {
      const bobPort = await freePort();
      await e.registerContact('bob', bobPort);
      const uas = await SippProcess.start({ scenario: 'uas-answer', localPort: bobPort, calls: 1, logger: silentLogger });
      try {
        assertAllSucceeded(await e.sipp({ scenario: 'uac-call', injection: e.rows(['alice'], 'bob'), pauseMs: 200 }), 1);
        assertAllSucceeded(await uas.done, 1);
      } finally {
        await uas.close();
      }
      const callId = await callIdOf('alice', 'bob');
      await e.waitForEvents('call.ended.v1', 1, (d) => d['sipCallId'] === callId);
      assert.deepEqual(await e.callEventTypes(callId), ['initiated', 'routed', 'ringing', 'answered', 'ended']);
      const routed = await dataOf(callId, 'call.routed.v1');
      assert.deepEqual(routed?.['route'], { kind: 'user', target: e.uri('bob'), contacts: [`sip:bob@127.0.0.1:${bobPort};transport=UDP`] });
      assert.equal((await dataOf(callId, 'call.ended.v1'))?.['cause'], 'completed');

      await e.settled();
      const cdr = CdrPageSchema.parse(await e.api('GET', '/cdr?kind=call'));
      const row = cdr.items.find((r) => r.kind === 'call' && r.caller === e.uri('alice') && r.routeTarget === e.uri('bob'));
      assert.ok(row && row.kind === 'call', JSON.stringify(cdr.items));
      assert.equal(row.endCause, 'completed');
      assert.equal(row.routeKind, 'user');
      assert.notEqual(row.answeredAt, null);
    });

    it('carol calls dave, who is not registered and forwards on unreachable to erin (a SIPp UAS): forwarded, then erin answers', async () => {
      await e.api('PUT', userPath(e.uri('dave'), 'forwarding'), { unreachable: e.uri('erin') });
      const erinPort = await freePort();
      await e.registerContact('erin', erinPort);
      const uas = await SippProcess.start({ scenario: 'uas-answer', localPort: erinPort, calls: 1, logger: silentLogger });
      try {
        assertAllSucceeded(await e.sipp({ scenario: 'uac-call', injection: e.rows(['carol'], 'dave') }), 1);
        assertAllSucceeded(await uas.done, 1);
      } finally {
        await uas.close();
      }
      const callId = await callIdOf('carol', 'dave');
      await e.waitForEvents('call.ended.v1', 1, (d) => d['sipCallId'] === callId);
      assert.deepEqual(await e.callEventTypes(callId), ['initiated', 'forwarded', 'routed', 'ringing', 'answered', 'ended']);
      const forwarded = await dataOf(callId, 'call.forwarded.v1');
      assert.deepEqual([forwarded?.['reason'], forwarded?.['from'], forwarded?.['to']], ['unreachable', e.uri('dave'), e.uri('erin')]);
      assert.equal(((await dataOf(callId, 'call.routed.v1'))?.['route'] as { target?: string }).target, e.uri('erin'));
    });

    it('alice dials 9 + 10 digits: the dial plan makes it E.164 and the call goes to the SIPp gateway (183, 200, BYE) → routed kind pstn', async () => {
      const gateway = await SippProcess.start({ scenario: 'uas-gateway', localPort: gatewayPort, calls: 1, logger: silentLogger });
      try {
        assertAllSucceeded(await e.sipp({ scenario: 'uac-call', injection: e.rows(['alice'], '94255551234') }), 1);
        assertAllSucceeded(await gateway.done, 1);
      } finally {
        await gateway.close();
      }
      const callId = await callIdOf('alice', '94255551234');
      await e.waitForEvents('call.ended.v1', 1, (d) => d['sipCallId'] === callId);
      assert.equal((await dataOf(callId, 'call.initiated.v1'))?.['normalizedNumber'], '+14255551234');
      assert.deepEqual((await dataOf(callId, 'call.routed.v1'))?.['route'], {
        kind: 'pstn',
        number: '+14255551234',
        routeName: 'US',
        gateway: 'gw1',
        gateways: ['gw1'],
        voicePolicy: 'Standard',
        pstnUsage: 'Local',
      });
      assert.deepEqual(await e.callEventTypes(callId), ['initiated', 'routed', 'ringing', 'answered', 'ended']);
    });

    it('carol gives up on a ringing bob: CANCEL, 200, 487, ACK → call.ended with cause cancelled', async () => {
      const bobPort = await freePort();
      await e.registerContact('bob', bobPort);
      const callee = await SippProcess.start({ scenario: 'uas-no-answer', localPort: bobPort, calls: 1, logger: silentLogger });
      try {
        assertAllSucceeded(await e.sipp({ scenario: 'uac-cancel', injection: e.rows(['carol'], 'bob'), pauseMs: 300 }), 1);
        assertAllSucceeded(await callee.done, 1);
      } finally {
        await callee.close();
      }
      const callId = await callIdOf('carol', 'bob');
      const [ended] = await e.waitForEvents('call.ended.v1', 1, (d) => d['sipCallId'] === callId);
      assert.equal(ended?.['cause'], 'cancelled');
      assert.equal(ended?.['durationSeconds'], 0);
      assert.equal((await e.callEventTypes(callId)).at(-1), 'ended');
      assert.ok(!(await e.callEventTypes(callId)).includes('answered'));
    });
  });
}
