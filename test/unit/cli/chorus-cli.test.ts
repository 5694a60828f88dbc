import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { closedPort, runCliInProcess } from '../../support/cli-in-process.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function spawnChorus(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/chorus.js', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', CHORUS_URL: 'http://127.0.0.1:9' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}



describe('chorus launcher (bin/chorus.js)', () => {
  it('--help prints the usage on stdout and exits 0', async () => {
    const { code, stdout } = await spawnChorus(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: chorus \[options\] \[command\]/);
    for (const command of ['serve', 'user', 'replay', 'projections']) assert.match(stdout, new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('user add notauri: exit 2 with the usage of user add on stderr', async () => {
    const { code, stdout, stderr } = await spawnChorus(['user', 'add', 'notauri']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^error: /);
    assert.match(stderr, /Usage: chorus user add \[options\] <sip-uri>/);
  });

  it('user add notauri --password x: names <sip-uri> as the bad value', async () => {
    const { code, stderr } = await spawnChorus(['user', 'add', 'notauri', '--password', 'x']);
    assert.equal(code, 2);
    assert.match(stderr, /^error: <sip-uri>: must be sip:user@host/);
  });

  it('replay --at yesterday: exit 2 with the usage of replay', async () => {
    const { code, stderr } = await spawnChorus(['replay', '--at', 'yesterday']);
    assert.equal(code, 2);
    assert.match(stderr, /Usage: chorus replay \[options\]/);
  });
});

describe('chorus argument validation (in process)', () => {
  let env: NodeJS.ProcessEnv;
  before(async () => {
    // Nothing listens there: a command that passes validation fails with 1 (it tried),
    // one that does not must stop with 2 before trying.
    env = { CHORUS_URL: `http://127.0.0.1:${await closedPort()}`, CHORUS_ADMIN_TOKEN: 't'.repeat(20) };
  });

  const invalid: readonly { args: readonly string[]; names: RegExp }[] = [
    { args: ['user', 'add', 'alice@example.test', '--password', 'pw'], names: /<sip-uri>: must be sip:user@host/ },
    { args: ['user', 'add', 'sip:alice@Example.TEST', '--password', 'pw'], names: /<sip-uri>:/ },
    { args: ['user', 'add', 'sip:alice@example.test', '--password', 'pw', '--line', '+15551234567'], names: /--line: must be an E\.164 tel URI/ },
    { args: ['user', 'add', 'sip:alice@example.test', '--password', 'pw', '--line', 'tel:15551234567'], names: /--line:/ },
    { args: ['user', 'add', 'sip:alice@example.test', '--password', ''], names: /--password:/ },
    { args: ['user', 'add', 'sip:alice@example.test'], names: /required option '--password <pw>'/ },
    { args: ['replay', '--user', 'sip:alice@example.test', '--at', 'yesterday'], names: /--at:/ },
    { args: ['replay', '--user', 'sip:alice@example.test', '--at', '2025-01-31T09:00:00'], names: /--at:/ },
    { args: ['replay', '--user', 'bob', '--at', '2025-01-31T09:00:00Z'], names: /--user:/ },
    { args: ['projections', 'rebuild', 'Not A Name'], names: /<name>: must be a projection name/ },
    { args: ['analytics', 'calls-per-hour', '--from', '2024-05-02T00:00:00Z', '--to', '2024-05-01T00:00:00Z'], names: /--to: `to` must be after `from`/ },
    { args: ['analytics', 'calls-per-day', '--from', '2024-05-01T00:00:00Z', '--to', '2024-05-02T00:00:00Z'], names: /<report>:/ },
    { args: ['analytics', 'im-volume', '--from', 'monday', '--to', '2024-05-02T00:00:00Z'], names: /--from:/ },
    { args: ['analytics', 'im-volume', '--from', '2024-05-01T00:00:00Z'], names: /required option '--to <instant>'/ },
    { args: ['projections', 'rebuild'], names: /missing required argument 'name'/ },
    { args: ['serve', '--role', 'backend'], names: /Allowed choices are all, frontend, projector, relay/ },
    { args: ['frobnicate'], names: /unknown command 'frobnicate'/ },
    { args: ['user', 'add', 'sip:alice@example.test', '--password', 'pw', 'extra'], names: /too many arguments/ },
  ];

  for (const { args, names } of invalid) {
    it(`rejects \`chorus ${args.join(' ')}\` with exit 2 before doing anything`, async () => {
      const { code, stdout, stderr } = await runCliInProcess(args, env);
      assert.equal(code, 2, stderr);
      assert.match(stderr, names);
      assert.match(stderr, /Usage: chorus/);
      assert.doesNotMatch(stderr, /no Chorus server answers/, 'the action did not run');
      assert.equal(stdout, '');
    });
  }

  const valid: readonly (readonly string[])[] = [
    ['user', 'add', 'sip:alice@example.test', '--password', 'pw', '--line', 'tel:+15551234567;ext=100'],
    ['replay', '--user', 'sip:alice@example.test', '--at', '2025-01-31T09:00:00+01:00'],
    ['projections', 'status'],
    ['projections', 'rebuild', 'presence'],
    ['analytics', 'presence-time', '--from', '2024-05-01T00:00:00Z', '--to', '2024-05-08T00:00:00Z', '--user', 'sip:alice@example.test'],
  ];

  for (const args of valid) {
    it(`accepts \`chorus ${args.join(' ')}\` and, with no server, exits 1 saying so`, async () => {
      const { code, stderr } = await runCliInProcess(args, env);
      assert.equal(code, 1);
      assert.match(stderr, /^chorus: no Chorus server answers at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); start one with `chorus serve`/);
    });
  }

  it('exits 1 naming CHORUS_URL when it is not an http URL', async () => {
    const { code, stderr } = await runCliInProcess(['projections', 'status'], { CHORUS_URL: 'ftp://example.test' });
    assert.equal(code, 1);
    assert.equal(stderr, 'chorus: CHORUS_URL: must be an http:// or https:// URL\n');
  });

  it('--version prints the package version and exits 0', async () => {
    const { code, stdout } = await runCliInProcess(['--version'], env);
    assert.equal(code, 0);
    assert.match(stdout, /^\d+\.\d+\.\d+/);
  });
});
