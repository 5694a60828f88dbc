import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadAuditConfig } from '../../../src/audit/audit-config.ts';
import { AuditSigner, keyIdOf, verifySignature } from '../../../src/audit/audit-keys.ts';
import { ConfigError } from '../../../src/config/config.ts';

describe('audit configuration', () => {
  let dir: string;
  const ed = generateKeyPairSync('ed25519');
  const privatePem = String(ed.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const publicPem = String(ed.publicKey.export({ type: 'spki', format: 'pem' }));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chorus-audit-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('defaults: on, no key (ephemeral at start), no trusted keys, every 1000 events or 60 s', () => {
    const c = loadAuditConfig({});
    assert.deepEqual(
      { enabled: c.enabled, signer: c.signer, trustedKeys: c.trustedKeys, every: c.checkpointEvery, seconds: c.checkpointSeconds },
      { enabled: true, signer: null, trustedKeys: null, every: 1000, seconds: 60 },
    );
    assert.equal(loadAuditConfig({ CHORUS_AUDIT: 'off' }).enabled, false);
  });

  it('takes the signing key as PEM text or as a file, and trusts its public half', async () => {
    const file = join(dir, 'key.pem');
    await writeFile(file, privatePem);
    for (const value of [privatePem, file]) {
      const c = loadAuditConfig({ CHORUS_AUDIT_SIGNING_KEY: value });
      assert.equal(c.signer?.keyId, keyIdOf(ed.publicKey));
      assert.deepEqual([...(c.trustedKeys?.keys() ?? [])], [keyIdOf(ed.publicKey)]);
      const signature = c.signer!.sign('hello');
      assert.ok(verifySignature(ed.publicKey, 'hello', signature));
      assert.ok(!verifySignature(ed.publicKey, 'hellO', signature));
    }
  });

  it('trusts every public key block of CHORUS_AUDIT_PUBLIC_KEY', () => {
    const other = AuditSigner.ephemeral();
    const c = loadAuditConfig({ CHORUS_AUDIT_PUBLIC_KEY: publicPem + other.publicKeyPem });
    assert.deepEqual(new Set(c.trustedKeys?.keys()), new Set([keyIdOf(ed.publicKey), other.keyId]));
  });

  it('refuses bad values with one line naming the variable', () => {
    const rsa = String(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{ CHORUS_AUDIT: 'maybe' }, /^CHORUS_AUDIT: /],
      [{ CHORUS_AUDIT_CHECKPOINT_EVERY: '0' }, /^CHORUS_AUDIT_CHECKPOINT_EVERY: /],
      [{ CHORUS_AUDIT_CHECKPOINT_SECONDS: 'soon' }, /^CHORUS_AUDIT_CHECKPOINT_SECONDS: /],
      [{ CHORUS_AUDIT_SIGNING_KEY: join(dir, 'missing.pem') }, /^CHORUS_AUDIT_SIGNING_KEY: neither PEM text nor a readable file \(ENOENT\)/],
      [{ CHORUS_AUDIT_SIGNING_KEY: rsa }, /^CHORUS_AUDIT_SIGNING_KEY: .*rsa key, not Ed25519/],
      [{ CHORUS_AUDIT_SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' }, /^CHORUS_AUDIT_SIGNING_KEY: not a PEM private key/],
      [{ CHORUS_AUDIT_PUBLIC_KEY: '-----BEGIN nothing' }, /^CHORUS_AUDIT_PUBLIC_KEY: no PEM block found/],
    ];
    for (const [env, message] of cases) {
      assert.throws(() => loadAuditConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));
    }
  });
});
