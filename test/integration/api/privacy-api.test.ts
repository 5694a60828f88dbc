import { PassThrough } from 'node:stream';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiErrorSchema } from '../../../src/api/api-error.ts';
import { ForgetAcceptedSchema, PrivacyStatusSchema, privacyPath } from '../../../src/api/contract/privacy-contract.ts';
import { TimelinePageSchema, userTimelinePath } from '../../../src/api/contract/timeline-query-contract.ts';
import { WriteAcceptedSchema } from '../../../src/api/contract/write-contract.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { startStandardEdition, type StandardEdition } from '../../../src/edition/standard-edition.ts';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.ts';
import { ERASED_TEXT } from '../../../src/privacy/personal-fields.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { waitUntil } from '../../support/wait-until.ts';
import { editionBackends, type EditionPlace } from './edition-backends.ts';
import { runCliInProcess } from '../../support/cli-in-process.ts';

const TOKEN = 'privacy-api-test-admin-token-0123';
const ALICE = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';
const CAROL = 'sip:carol@example.test';
const BODY = 'the tarts are in the pantry';

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

// HTTP ports of this helper's range (61100-61109), one per backend so the two suites never collide.
const HTTP_PORTS = { pglite: '61100', postgres: '61101' } as const;

for (const backend of editionBackends) {
  describe(`GDPR erasure and legal hold over HTTP and the CLI (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let place: EditionPlace | undefined;
    let edition: StandardEdition;

    before(async () => {
      place = await backend.place();
      edition = await startStandardEdition(
        loadConfig({
          ...place.env,
          HTTP_PORT: HTTP_PORTS[backend.name],
          HTTP_HOST: '127.0.0.1',
          SIP_PORT: '0',
          CHORUS_ADMIN_TOKEN: TOKEN,
          CHORUS_DEMO: 'off',
        }),
        { logger: silentLogger, metrics: createMetricsRegistry({ defaultMetrics: false }), stdout: new PassThrough() },
      );
      for (const [sipUri, displayName] of [
        [ALICE, 'Alice Liddell'],
        [BOB, 'Bob Builder'],
        [CAROL, 'Carol Cheshire'],
      ] as const)
        assert.equal((await call('POST', '/users', { sipUri, displayName, password: 'pw-0123456789' })).status, 201);
      assert.equal((await call('POST', '/im/messages', { from: ALICE, to: [BOB], body: BODY, archive: true })).status, 201);
    });
    after(async () => {
      await edition?.close();
      await place?.dispose();
    });

    async function call(method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<Answer> {
      const headers: Record<string, string> = {};
      if (token !== null) headers['authorization'] = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(edition.httpUrl + path, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    }
    const head = () => edition.store.headPosition();
    const errorCode = (answer: Answer) => ApiErrorSchema.parse(answer.body).error;

    async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
      const run = await runCliInProcess(args, { CHORUS_URL: edition.httpUrl, CHORUS_ADMIN_TOKEN: TOKEN });
      return { code: run.code, out: run.stdout, err: run.stderr };
    }

    it('given no token, then 401; given a bad address, then 400 with the issue path; given an unknown user, then 404; nothing is written', async () => {
      const before = await head();
      assert.equal((await call('POST', privacyPath(ALICE, 'forget'), undefined, null)).status, 401);
      const bad = await call('POST', '/users/not-a-uri/forget');
      assert.equal(bad.status, 400);
      assert.ok(ApiErrorSchema.parse(bad.body).issues?.some((i) => i.path.includes('sipUri')));
      const dave = 'sip:dave@example.test';
      for (const answer of [
        await call('POST', privacyPath(dave, 'forget')),
        await call('POST', privacyPath(dave, 'legal-hold'), { reason: 'case 1' }),
        await call('GET', privacyPath(dave, 'legal-hold')),
      ]) {
        assert.equal(answer.status, 404);
        assert.equal(errorCode(answer), 'not_provisioned');
      }
      assert.equal((await call('POST', privacyPath(ALICE, 'legal-hold'), { reason: '   ' })).status, 400);
      assert.equal((await call('DELETE', privacyPath(ALICE, 'legal-hold'))).status, 400);
      assert.equal(await head(), before);
    });

    it('given the OpenAPI document, then it lists the privacy operations', async () => {
      const doc = await call('GET', '/openapi.json', undefined, null);
      assert.equal(doc.status, 200);
      const paths = (doc.body as { paths: Record<string, Record<string, unknown>> }).paths;
      assert.ok(paths['/users/{sipUri}/forget']?.['post']);
      assert.deepEqual(Object.keys(paths['/users/{sipUri}/legal-hold'] ?? {}).sort(), ['delete', 'get', 'post']);
    });

    it('given a legal hold, when forgetting, then 409 legal_hold and nothing is written; after release, 200 and the data reads as erased once rebuilt', async () => {
      const held = await call('POST', privacyPath(ALICE, 'legal-hold'), { reason: 'litigation 2026-17' });
      assert.equal(held.status, 200);
      assert.equal(WriteAcceptedSchema.parse(held.body).written, true);
      const status = PrivacyStatusSchema.parse((await call('GET', privacyPath(ALICE, 'legal-hold'))).body);
      assert.equal(status.hold?.reason, 'litigation 2026-17');

      const before = await head();
      const refused = await call('POST', privacyPath(ALICE, 'forget'));
      assert.equal(refused.status, 409);
      assert.equal(errorCode(refused), 'legal_hold');
      assert.equal(await head(), before);
      const sent = (await edition.store.readAll({ filter: { typePrefixes: ['im.message_sent'] } }))[0];
      assert.equal((sent?.data as { body: string }).body, BODY);

      assert.equal((await call('DELETE', `${privacyPath(ALICE, 'legal-hold')}?reason=case%20closed`)).status, 200);
      assert.equal(errorCode(await call('DELETE', `${privacyPath(ALICE, 'legal-hold')}?reason=again`)), 'not_on_hold');
      const forgotten = await call('POST', privacyPath(ALICE, 'forget'));
      assert.equal(forgotten.status, 200);
      const accepted = ForgetAcceptedSchema.parse(forgotten.body);
      assert.equal(accepted.written, true);
      assert.equal(accepted.keysDestroyed, 1);
      assert.equal(BigInt(accepted.position), await head());

      const [message] = await edition.store.readAll({ filter: { typePrefixes: ['im.message_sent'] } });
      assert.equal((message?.data as { body: string }).body, ERASED_TEXT);
      const [provisioned] = await edition.store.readStream('user-alice@example.test', { limit: 1 });
      assert.equal((provisioned?.data as { displayName: string }).displayName, ERASED_TEXT);
      // Bob's own data was sealed with Bob's key.
      const [bob] = await edition.store.readStream('user-bob@example.test', { limit: 1 });
      assert.equal((bob?.data as { displayName: string }).displayName, 'Bob Builder');

      assert.equal((await call('POST', '/projections/audit_timeline/rebuild')).status, 202);
      const timeline = async () => TimelinePageSchema.parse((await call('GET', `${userTimelinePath(ALICE)}?limit=100`)).body).items;
      // Until the rebuild reaches it, the row written before the forget keeps the plaintext: that is what the rebuild is for.
      await waitUntil(
        'the rebuilt audit timeline shows the display name erased, up to the forget event',
        async () => {
          const items = await timeline();
          const provisionedRow = items.find((i) => i.eventType === 'directory.user_provisioned.v1');
          return provisionedRow?.summary['displayName'] === ERASED_TEXT && items.some((i) => i.eventType === 'privacy.user_forgotten.v1');
        },
        60_000,
      );
      assert.ok(!JSON.stringify(await timeline()).includes('Liddell'));
    });

    it('given the CLI, then hold, refused forget (exit 1), release and forget work; bad input exits 2 and an unknown user exits 1', async () => {
      assert.equal((await cli('user', 'hold', CAROL, '--reason', 'audit 9')).code, 0);
      const before = await head();
      const refused = await cli('user', 'forget', CAROL);
      assert.equal(refused.code, 1);
      assert.match(refused.err, /409 legal_hold: .*under legal hold/);
      assert.equal(await head(), before);

      const released = await cli('user', 'release', CAROL, '--reason', 'audit 9 closed');
      assert.equal(released.code, 0);
      assert.match(released.out, /released the legal hold on sip:carol@example.test/);
      const done = await cli('user', 'forget', CAROL);
      assert.equal(done.code, 0, done.err);
      assert.match(done.out, /forgot sip:carol@example.test: 1 data key\(s\) destroyed/);
      const [carol] = await edition.store.readStream('user-carol@example.test', { limit: 1 });
      assert.equal((carol?.data as { displayName: string }).displayName, ERASED_TEXT);

      const unknown = await cli('user', 'forget', 'sip:nobody@example.test');
      assert.equal(unknown.code, 1);
      assert.match(unknown.err, /404 not_provisioned/);
      const head2 = await head();
      assert.equal((await cli('user', 'forget', 'not-a-uri')).code, 2);
      assert.equal((await cli('user', 'hold', BOB)).code, 2);
      assert.equal(await head(), head2);
    });
  });
}
