import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { ProjectionsStatus } from '../../../src/api/contract/projections-contract.ts';
import { runChorusCli } from '../../../src/cli/chorus-cli.ts';
import { RemoteRebuildError, watchRemoteRebuild } from '../../../src/cli/online-rebuild.ts';
import type { ProgressReport } from '../../../src/cli/progress.ts';

/** Answers the given statuses in order, repeating the last one. */
function statuses(...answers: ProjectionsStatus[]): () => Promise<ProjectionsStatus> {
  let next = 0;
  return () => Promise.resolve(answers[Math.min(next++, answers.length - 1)]!);
}

const noWait = (): Promise<void> => Promise.resolve();

describe('watchRemoteRebuild', () => {
  it('follows the server\'s rebuild record until it is done, reporting its own rate and ETA', async () => {
    const reports: ProgressReport[] = [];
    const position = await watchRemoteRebuild({
      name: 'presence',
      sleep: noWait,
      onProgress: (r) => reports.push(r),
      status: statuses(
        // Just after the 202 the runner has not reset yet: the old state says live, the record says running.
        { headPosition: '1000', projections: [{ name: 'presence', status: 'live', position: '1000', lag: 0, rebuild: { state: 'running' } }] },
        {
          headPosition: '1000',
          projections: [
            { name: 'presence', status: 'rebuilding', position: '400', lag: 600, rebuild: { state: 'running', position: '400', head: '1000', eventsPerSecond: 2000, etaSeconds: 0.3 } },
          ],
        },
        {
          headPosition: '1010',
          projections: [
            { name: 'presence', status: 'live', position: '1010', lag: 0, rebuild: { state: 'done', position: '1010', head: '1010', eventsPerSecond: 2100, etaSeconds: 0 } },
          ],
        },
      ),
    });
    assert.equal(position, '1010');
    assert.deepEqual(reports, [
      { done: 1000, total: 1000 },
      { done: 400, total: 1000, eventsPerSecond: 2000, etaSeconds: 0.3 },
      { done: 1010, total: 1010, eventsPerSecond: 2100, etaSeconds: 0 },
    ]);
  });

  it('rejects with the server\'s error when the rebuild failed', async () => {
    await assert.rejects(
      watchRemoteRebuild({
        name: 'cdr',
        sleep: noWait,
        onProgress: () => undefined,
        status: statuses({
          headPosition: '50',
          projections: [{ name: 'cdr', status: 'failed', position: '20', lag: 30, rebuild: { state: 'failed', error: 'duplicate key' } }],
        }),
      }),
      (e: unknown) => e instanceof RemoteRebuildError && e.message === 'rebuild of cdr failed on the server: duplicate key',
    );
  });

  it('without a rebuild record, waits until the status is no longer rebuilding', async () => {
    let polls = 0;
    const position = await watchRemoteRebuild({
      name: 'presence',
      sleep: noWait,
      onProgress: () => {
        polls += 1;
      },
      status: statuses(
        { headPosition: '9', projections: [{ name: 'presence', status: 'rebuilding', position: '3', lag: 6 }] },
        { headPosition: '9', projections: [{ name: 'presence', status: 'rebuilding', position: '6', lag: 3 }] },
        { headPosition: '9', projections: [{ name: 'presence', status: 'active', position: '9', lag: 0 }] },
      ),
    });
    assert.equal(position, '9');
    assert.equal(polls, 3);
  });

  it('rejects when the server stops listing the projection', async () => {
    await assert.rejects(
      watchRemoteRebuild({ name: 'presence', sleep: noWait, onProgress: () => undefined, status: statuses({ headPosition: '1', projections: [] }) }),
      RemoteRebuildError,
    );
  });
});

describe('chorus projections rebuild against a server', () => {
  /** A server speaking the projections contract whose rebuild takes three polls. */
  async function withServer(run: (url: string, seen: string[]) => Promise<void>): Promise<void> {
    const seen: string[] = [];
    let polls = 0;
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      seen.push(`${request.method} ${request.url} ${request.headers.authorization ?? '-'}`);
      response.setHeader('content-type', 'application/json');
      if (request.method === 'POST' && request.url === '/projections/presence/rebuild') {
        response.statusCode = 202;
        response.end(JSON.stringify({ name: 'presence', status: 'rebuilding' }));
        return;
      }
      if (request.method === 'GET' && request.url === '/projections') {
        polls += 1;
        const done = polls >= 3;
        response.end(
          JSON.stringify({
            headPosition: '300',
            projections: [
              {
                name: 'presence',
                status: done ? 'live' : 'rebuilding',
                position: String(polls * 100),
                lag: 300 - polls * 100,
                rebuild: { state: done ? 'done' : 'running', position: String(polls * 100), head: '300', eventsPerSecond: 100, etaSeconds: 3 - polls },
              },
            ],
          }),
        );
        return;
      }
      response.statusCode = 404;
      response.end(JSON.stringify({ error: 'not_found', message: 'no route' }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen);
    } finally {
      server.close();
      await once(server, 'close');
    }
  }

  it('posts the rebuild, polls until done, never opens the log, and prints the final position', async () => {
    await withServer(async (url, seen) => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      let err = '';
      stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
      let opened = 0;
      const code = await runChorusCli(['projections', 'rebuild', 'presence'], {
        env: { CHORUS_URL: url, CHORUS_ADMIN_TOKEN: 'a'.repeat(20) },
        stdout,
        stderr,
        rebuildPollIntervalMs: 1,
        openOfflineBackend: () => {
          opened += 1;
          return Promise.reject(new Error('a server answered: the log must not be opened'));
        },
      });
      assert.equal(code, 0, err);
      assert.equal(out, 'rebuild of presence: done at position 300\n');
      assert.match(err, /rebuild presence \[=+\] 100% \| 300\/300 events \| 100 events\/s \| ETA 0s/);
      assert.equal(opened, 0);
      const bearer = `Bearer ${'a'.repeat(20)}`;
      assert.deepEqual(seen, [
        `POST /projections/presence/rebuild ${bearer}`,
        `GET /projections ${bearer}`,
        `GET /projections ${bearer}`,
        `GET /projections ${bearer}`,
      ]);
    });
  });
});
