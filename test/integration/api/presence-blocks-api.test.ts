import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { ApiErrorSchema } from '../../../src/api/api-error.ts';
import { presenceBlocksPath, PresenceBlocksAnswerSchema } from '../../../src/api/contract/presence-blocks-contract.ts';
import { WriteAcceptedSchema } from '../../../src/api/contract/write-contract.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { startStandardEdition, type StandardEdition } from '../../../src/edition/standard-edition.ts';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { waitUntil } from '../../support/wait-until.ts';
import { editionBackends, type EditionPlace } from './edition-backends.ts';

const TOKEN = 'presence-blocks-test-token-0123';
const ALICE = 'sip:alice@example.test';
const BOB = 'sip:bob@example.test';
const CAROL = 'sip:carol@example.test';

type Answer = { readonly status: number; readonly body: unknown };

for (const backend of editionBackends) {
  describe(`presence block list over HTTP (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let place: EditionPlace | undefined;
    let edition: StandardEdition;

    before(async () => {
      place = await backend.place();
      edition = await startStandardEdition(
        loadConfig({ ...place.env, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', SIP_PORT: '0', CHORUS_ADMIN_TOKEN: TOKEN, CHORUS_DEMO: 'off' }),
        { logger: silentLogger, metrics: createMetricsRegistry({ defaultMetrics: false }) },
      );
      for (const user of ['alice', 'bob', 'carol']) {
        const res = await call('POST', '/users', { sipUri: `sip:${user}@example.test`, password: `${user}-secret` });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }
    });
    after(async () => {
      await edition?.close();
      await place?.dispose();
    });

    async function call(method: string, path: string, body?: unknown): Promise<Answer> {
      const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(edition.httpUrl + path, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    }

    const blocksEvents = async () =>
      (await edition.store.readStream('user-alice@example.test')).flatMap((e) => (e.type === 'presence.blocks_set.v1' ? [e.data.blocked] : []));

    async function listed(sipUri: string): Promise<string[]> {
      const res = await call('GET', presenceBlocksPath(sipUri));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return PresenceBlocksAnswerSchema.parse(res.body).blocked;
    }

    it('PUT sets the whole list, PUT/DELETE of one entry edit it, repeats write nothing; GET reads the view', async () => {
      const set = await call('PUT', presenceBlocksPath(ALICE), { blocked: [BOB, 'spam.test'] });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal(WriteAcceptedSchema.parse(set.body).written, true);
      await waitUntil('the view has the list', async () => (await listed(ALICE)).length === 2);
      assert.deepEqual(await listed(ALICE), [BOB, 'spam.test']);

      const one = await call('PUT', presenceBlocksPath(ALICE, CAROL));
      assert.equal(one.status, 200, JSON.stringify(one.body));
      const again = await call('PUT', presenceBlocksPath(ALICE, CAROL));
      assert.equal(WriteAcceptedSchema.parse(again.body).written, false);
      const removed = await call('DELETE', presenceBlocksPath(ALICE, 'spam.test'));
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      const absent = await call('DELETE', presenceBlocksPath(ALICE, 'other.test'));
      assert.equal(WriteAcceptedSchema.parse(absent.body).written, false);

      assert.deepEqual(await blocksEvents(), [[BOB, 'spam.test'], [BOB, 'spam.test', CAROL], [BOB, CAROL]]);
      await waitUntil('the view has the edits', async () => (await listed(ALICE)).join() === [BOB, CAROL].join());
      assert.deepEqual(await listed(ALICE), [BOB, CAROL]);
      assert.deepEqual(await listed(BOB), []);
    });

    it('bad entries get 400 with the issue path, an unknown user 404; nothing is written', async () => {
      const head = await edition.store.headPosition();
      const upper = await call('PUT', presenceBlocksPath(ALICE), { blocked: ['Spam.Test'] });
      assert.equal(upper.status, 400);
      assert.deepEqual(ApiErrorSchema.parse(upper.body).issues?.map((i) => i.path), ['blocked.0']);
      const repeated = await call('PUT', presenceBlocksPath(ALICE), { blocked: [BOB, BOB] });
      assert.equal(repeated.status, 400);
      const withParams = await call('PUT', presenceBlocksPath(ALICE, 'sip:bob@example.test;transport=tcp'));
      assert.equal(withParams.status, 400);
      assert.deepEqual(ApiErrorSchema.parse(withParams.body).issues?.map((i) => i.path), ['watcher']);
      const unknown = await call('PUT', presenceBlocksPath('sip:nobody@example.test', BOB));
      assert.deepEqual([unknown.status, ApiErrorSchema.parse(unknown.body).error], [404, 'not_provisioned']);
      assert.equal((await call('GET', presenceBlocksPath('sip:nobody@example.test'))).status, 404);
      assert.equal(await edition.store.headPosition(), head);
    });

    it('the routes are in the OpenAPI document', async () => {
      const res = await fetch(`${edition.httpUrl}/openapi.json`);
      const doc = z.object({ paths: z.record(z.string(), z.record(z.string(), z.unknown())) }).parse(await res.json());
      assert.deepEqual(Object.keys(doc.paths['/users/{sipUri}/presence-blocks'] ?? {}).sort(), ['get', 'put']);
      assert.deepEqual(Object.keys(doc.paths['/users/{sipUri}/presence-blocks/{watcher}'] ?? {}).sort(), ['delete', 'put']);
    });
  });
}
