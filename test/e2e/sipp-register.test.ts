/**
 * SIPp register.xml / unregister.xml against the real Standard Edition: a crowd of users
 * registers through the 401 digest challenge, each REGISTER becomes an endpoint.registered event
 * and a live binding in GET /users/{sipUri}/registrations; the unregister (Contact: *) writes
 * endpoint.unregistered and empties the query.
 *
 * SIP_DIGEST_ALGORITHMS=MD5: SIPp 3.6 computes only MD5 digests and answers only the FIRST
 * challenge of a 401, so an edition offering SHA-256 first (the default) would be answered with an
 * MD5 response to a SHA-256 challenge and refuse it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UserRegistrationsSchema } from '../../src/api/contract/registrations-query-contract.ts';
import { userPath } from '../../src/api/contract/users-contract.ts';
import { assertAllSucceeded, e2eBackends, E2eEdition, sippUnavailableReason } from './e2e-harness.ts';

const USERS = Array.from({ length: 20 }, (_, i) => `user${String(i + 1).padStart(2, '0')}`);

for (const backend of e2eBackends()) {
  describe(`SIPp registration against the Standard Edition (${backend})`, { skip: sippUnavailableReason() ?? false }, () => {
    let e: E2eEdition;

    before(async () => {
      e = await E2eEdition.start({ backend, digestAlgorithms: 'MD5' });
      await e.provision(USERS);
    });
    after(async () => e?.close());

    const registrations = async (user: string) => UserRegistrationsSchema.parse(await e.api('GET', `${userPath(e.uri(user))}/registrations`)).registrations;

    it(`registers ${USERS.length} users through the 401 challenge: one endpoint.registered each, and a live binding in the query`, async () => {
      const result = await e.sipp({ scenario: 'register', injection: e.rows(USERS), calls: USERS.length, rate: 20, keys: { expires: '600' } });
      assertAllSucceeded(result, USERS.length);
      const registered = await e.waitForEvents('endpoint.registered.v1', USERS.length);
      assert.deepEqual(registered.map((d) => d['sipUri']).sort(), USERS.map((u) => e.uri(u)));
      assert.ok(registered.every((d) => d['transport'] === 'udp' && String(d['contact']).includes(`:${result.localPort}`)), JSON.stringify(registered[0]));
      await e.settled();
      for (const user of USERS) {
        const live = await registrations(user);
        assert.equal(live.length, 1, `${user}: ${JSON.stringify(live)}`);
        assert.equal(live[0]?.transport, 'udp');
      }
    });

    it('unregisters the same users (Contact: *, Expires: 0): one endpoint.unregistered each, and no live binding left', async () => {
      const result = await e.sipp({ scenario: 'unregister', injection: e.rows(USERS), calls: USERS.length, rate: 20 });
      assertAllSucceeded(result, USERS.length);
      const unregistered = await e.waitForEvents('endpoint.unregistered.v1', USERS.length);
      assert.deepEqual(unregistered.map((d) => d['sipUri']).sort(), USERS.map((u) => e.uri(u)));
      await e.settled();
      for (const user of USERS) assert.deepEqual(await registrations(user), [], user);
    });
  });
}
