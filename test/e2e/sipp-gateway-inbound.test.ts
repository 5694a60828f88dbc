/**
 * A SIPp UAC playing a PSTN gateway calls into the real Standard Edition: the
 * INVITE comes from the gateway's configured address, so it is not challenged;
 * its number reaches the user whose line URI it is (a registered SIPp UAS).
 * Asserted in SIPp's counters and in the call.* events.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { voiceConfigPath } from '../../src/api/contract/voice-config-contract.ts';
import { freePort, SippProcess } from '../support/sipp/index.ts';
import { silentLogger } from '../support/silent-logger.ts';
import { assertAllSucceeded, e2eBackends, E2eEdition, sippUnavailableReason } from './e2e-harness.ts';

const SCENARIO = fileURLToPath(new URL('./scenarios/uac-gateway-inbound.xml', import.meta.url));

for (const backend of e2eBackends()) {
  describe(`SIPp gateway calling in through the Standard Edition (${backend})`, { skip: sippUnavailableReason() ?? false }, () => {
    let e: E2eEdition;
    let gatewayPort: number;

    before(async () => {
      e = await E2eEdition.start({ backend, digestAlgorithms: 'MD5' });
      gatewayPort = await freePort();
      await e.api('PUT', voiceConfigPath('gateway', 'pstn-in'), { address: `127.0.0.1:${gatewayPort}`, transport: 'udp' });
      await e.provision('pat', { lineUri: 'tel:+14255550500' });
    });
    after(async () => e?.close());

    it('the gateway INVITEs +14255550500 without credentials: pat (a SIPp UAS) answers; the events record the call as inbound from the gateway', async () => {
      const patPort = await freePort();
      await e.registerContact('pat', patPort);
      const uas = await SippProcess.start({ scenario: 'uas-answer', localPort: patPort, calls: 1, logger: silentLogger });
      try {
        const gateway = await e.sipp({
          scenario: { file: SCENARIO },
          localPort: gatewayPort,
          keys: { called: '+14255550500', calling: '+15550001111' },
          pauseMs: 200,
        });
        assertAllSucceeded(gateway, 1);
        assertAllSucceeded(await uas.done, 1);
      } finally {
        await uas.close();
      }
      const [initiated] = await e.waitForEvents('call.initiated.v1', 1, (d) => d['inboundGateway'] === 'pstn-in');
      const callId = String(initiated?.['sipCallId']);
      await e.waitForEvents('call.ended.v1', 1, (d) => d['sipCallId'] === callId);
      assert.deepEqual(
        [initiated?.['caller'], initiated?.['normalizedNumber'], initiated?.['inboundGateway']],
        ['tel:+15550001111', '+14255550500', 'pstn-in'],
      );
      assert.deepEqual(await e.callEventTypes(callId), ['initiated', 'routed', 'ringing', 'answered', 'ended']);
      const routed = (await e.callEvents(callId)).find((x) => x.type === 'call.routed.v1')?.data as { route?: { target?: string } } | undefined;
      assert.equal(routed?.route?.target, e.uri('pat'));
    });
  });
}
