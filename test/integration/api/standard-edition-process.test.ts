import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { SpawnedProcess, cleanEnv, runToExit } from './process-harness.ts';

/** What `npm start` runs (tsx src/main.ts), without the tsx CLI wrapper in between the test and the signals. */
const MAIN = ['--import', 'tsx', 'src/main.ts'];

const ReadyLine = z.object({ msg: z.literal('Chorus Standard Edition ready'), httpUrl: z.url() });

function readyUrl(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  const parsed = ReadyLine.safeParse(JSON.parse(line));
  return parsed.success ? parsed.data.httpUrl : undefined;
}

describe('Standard Edition process (src/main.ts)', () => {
  const started: SpawnedProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.dispose()));
  });

  it('serves /health, then exits 0 on SIGTERM after an orderly stop', async () => {
    const token = 'process-test-admin-token-42';
    const p = new SpawnedProcess(MAIN, cleanEnv({ HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', SIP_PORT: '0', CHORUS_ADMIN_TOKEN: token, LOG_LEVEL: 'info' }));
    started.push(p);
    const url = await p.waitForStdoutLine(readyUrl);
    // An empty (in-memory) log and CHORUS_DEMO unset: the demo accounts are printed for a softphone.
    await p.waitForStdoutLine((line) => (/^\s+sip:carol@example\.test\s+\S+\s+tel:\+15550100003$/.test(line) ? line : undefined));

    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
    const body = z.looseObject({ status: z.string(), store: z.string(), version: z.string() }).parse(await health.json());
    assert.deepEqual({ status: body.status, store: body.store }, { status: 'ok', store: 'pglite' });
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    assert.doesNotMatch(p.stderr, /ephemeral/, 'a configured token is not replaced');

    p.child.kill('SIGTERM');
    const exit = await p.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.match(p.stdout, /"signal":"SIGTERM".*"msg":"shutting down"/);
    assert.match(p.stdout, /"msg":"stopped"/);
    await assert.rejects(fetch(`${url}/health`), 'nothing listens after the stop');
  });

  it('prints an ephemeral admin token when CHORUS_ADMIN_TOKEN is unset, and that token opens the API', async () => {
    const p = new SpawnedProcess(MAIN, cleanEnv({ HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', SIP_PORT: '0', LOG_LEVEL: 'info' }));
    started.push(p);
    const url = await p.waitForStdoutLine(readyUrl);
    assert.match(p.stderr, /ephemeral/);
    const token = /admin token (\S+)\n/.exec(p.stderr)?.[1];
    assert.ok(token, `token line in stderr: ${p.stderr}`);

    const anonymous = await fetch(`${url}/no-such-route`);
    assert.equal(anonymous.status, 401);
    const authorized = await fetch(`${url}/no-such-route`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(authorized.status, 404, 'the printed token is the one the server checks');

    p.child.kill('SIGINT');
    assert.equal((await p.exited).code, 0);
  });

  it('`chorus serve` runs the same edition and stops with exit 0 on SIGINT', async () => {
    const p = new SpawnedProcess(['bin/chorus.js', 'serve', '--role', 'all'], cleanEnv({ HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', SIP_PORT: '0', CHORUS_ADMIN_TOKEN: 'serve-test-token-123456' }));
    started.push(p);
    const url = await p.waitForStdoutLine(readyUrl);
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
    p.child.kill('SIGINT');
    assert.deepEqual(await p.exited, { code: 0, signal: null });
    assert.match(p.stdout, /"signal":"SIGINT"/);
  });

  it('exits 1 with one stderr line naming HTTP_PORT when it is not a number', async () => {
    const { code, stderr, stdout } = await runToExit(MAIN, cleanEnv({ HTTP_PORT: 'abc' }));
    assert.equal(code, 1);
    const lines = stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, /^chorus: HTTP_PORT: /);
    assert.equal(stdout, '', 'nothing started, nothing logged');
  });

  it('exits 1 naming the variable when the store needs a URL that is missing', async () => {
    const { code, stderr } = await runToExit(MAIN, cleanEnv({ CHORUS_STORE: 'postgres' }));
    assert.equal(code, 1);
    assert.equal(stderr, 'chorus: DATABASE_URL: is required when CHORUS_STORE=postgres\n');
  });

  it('exits 1 with a one-line reason when the HTTP port is taken', async () => {
    const first = new SpawnedProcess(MAIN, cleanEnv({ HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', SIP_PORT: '0', CHORUS_ADMIN_TOKEN: 'x'.repeat(20) }));
    started.push(first);
    const url = await first.waitForStdoutLine(readyUrl);
    const port = new URL(url).port;
    const { code, stderr } = await runToExit(MAIN, cleanEnv({ HTTP_PORT: port, HTTP_HOST: '127.0.0.1', SIP_PORT: '0', CHORUS_ADMIN_TOKEN: 'x'.repeat(20) }));
    assert.equal(code, 1);
    assert.match(stderr, /^chorus: could not start: .*EADDRINUSE/m);
  });
});
