import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../../src/config/config.ts';
import { loadSipFrontEndConfig } from '../../../../src/realtime/front-end/sip-front-end-config.ts';
import { ServedDomains } from '../../../../src/realtime/front-end/served-domains.ts';
import { parseUri, type Uri } from '../../../../src/realtime/sip/uri.ts';

function uri(text: string): Uri {
  const r = parseUri(text);
  if (!r.ok) assert.fail(r.error);
  return r.value;
}

describe('loadSipFrontEndConfig', () => {
  it('has a documented default for everything', () => {
    assert.deepEqual(loadSipFrontEndConfig({}), {
      host: '0.0.0.0',
      advertisedHost: undefined,
      transports: ['udp', 'tcp'],
      tlsPort: 5061,
      wsPort: 5066,
      wssPort: 7443,
      tlsCert: undefined,
      tlsKey: undefined,
      tlsCa: undefined,
      forceRport: false,
      domainAliases: [],
      realm: undefined,
      nonceSecret: undefined,
      nonceTtlSeconds: 300,
      ratePerSecond: 20,
      rateBurst: 60,
      rateExempt: [],
      minExpires: 60,
      defaultExpires: 3600,
      digestAlgorithms: ['MD5'],
      maxExpires: 86_400,
      imArchive: true,
      imMaxBodyBytes: 16_384,
      imSessionIdleSeconds: 600,
    });
  });

  it('reads lists, flags and numbers from the environment', () => {
    const c = loadSipFrontEndConfig({
      SIP_TRANSPORTS: 'tcp',
      SIP_DOMAIN_ALIASES: 'sip.example.test, example.org',
      SIP_RATE_EXEMPT: '192.0.2.1,192.0.2.2',
      SIP_NONCE_SECRET: 'a-secret-of-sixteen+',
      IM_ARCHIVE: 'off',
      IM_MAX_BODY_BYTES: '1300',
      SIP_HOST: '',
    });
    assert.deepEqual(c.transports, ['tcp']);
    assert.deepEqual(c.domainAliases, ['sip.example.test', 'example.org']);
    assert.deepEqual(c.rateExempt, ['192.0.2.1', '192.0.2.2']);
    assert.equal(c.nonceSecret, 'a-secret-of-sixteen+');
    assert.equal(c.imArchive, false);
    assert.equal(c.imMaxBodyBytes, 1300);
    assert.equal(c.host, '0.0.0.0', 'an empty variable is unset');
  });

  it('names the variable at fault', () => {
    const fails = (env: Record<string, string>, pattern: RegExp) =>
      assert.throws(() => loadSipFrontEndConfig(env), (e: unknown) => e instanceof ConfigError && pattern.test(e.message));
    fails({ SIP_NONCE_SECRET: 'short' }, /^SIP_NONCE_SECRET: /);
    fails({ SIP_TRANSPORTS: 'udp,sctp' }, /^SIP_TRANSPORTS: /);
    fails({ IM_MAX_BODY_BYTES: '70000' }, /^IM_MAX_BODY_BYTES: /);
    fails({ IM_ARCHIVE: 'maybe' }, /^IM_ARCHIVE: /);
    fails({ SIP_MIN_EXPIRES: '4000' }, /^SIP_DEFAULT_EXPIRES: /);
  });
});

describe('ServedDomains', () => {
  const domains = new ServedDomains({ domain: 'Example.Test', aliases: ['sip.example.test'], localHosts: ['192.0.2.10', '[2001:db8::10]'] });

  it('serves the domain, its aliases and our own addresses, whatever the case or port', () => {
    for (const u of ['sip:example.test', 'sip:bob@EXAMPLE.test:5060', 'sips:bob@sip.example.test', 'sip:bob@192.0.2.10', 'sip:bob@[2001:DB8::10]:5060']) {
      assert.equal(domains.serves(uri(u)), true, u);
    }
    for (const u of ['sip:bob@elsewhere.example', 'tel:+15551234567', 'sip:bob@192.0.2.11']) assert.equal(domains.serves(uri(u)), false, u);
  });

  it('maps a served URI with a user to the canonical AOR', () => {
    assert.equal(domains.aorOf(uri('sip:bob@192.0.2.10:5060;transport=tcp')), 'sip:bob@example.test');
    assert.equal(domains.aorOf(uri('sip:b%6Fb@example.test')), 'sip:bob@example.test');
    assert.equal(domains.aorOf(uri('sip:example.test')), undefined);
    assert.equal(domains.aorOf(uri('sip:bob@elsewhere.example')), undefined);
  });
});
