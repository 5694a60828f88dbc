import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../../src/config/config.ts';
import { loadSipFrontEndConfig } from '../../../../src/realtime/front-end/sip-front-end-config.ts';
import { loadTlsMaterial, sipListenSpecs } from '../../../../src/realtime/front-end/sip-listen-specs.ts';

const TLS_FILES = { SIP_TLS_CERT: '/etc/chorus/cert.pem', SIP_TLS_KEY: '/etc/chorus/key.pem' };

describe('SIP_TRANSPORTS with TLS and WebSocket', () => {
  it('accepts every engine transport, with their documented default ports', () => {
    const c = loadSipFrontEndConfig({ SIP_TRANSPORTS: 'udp, tcp,tls,ws,wss', ...TLS_FILES });
    assert.deepEqual(c.transports, ['udp', 'tcp', 'tls', 'ws', 'wss']);
    assert.deepEqual([c.tlsPort, c.wsPort, c.wssPort], [5061, 5066, 7443]);
    assert.equal(c.tlsCert, '/etc/chorus/cert.pem');
    assert.equal(c.tlsKey, '/etc/chorus/key.pem');
    assert.equal(c.tlsCa, undefined);
  });

  it('reads the ports, the CA file and SIP_FORCE_RPORT', () => {
    const c = loadSipFrontEndConfig({ SIP_TRANSPORTS: 'ws', SIP_WS_PORT: '8088', SIP_TLS_PORT: '0', SIP_WSS_PORT: '8089', SIP_TLS_CA: '/ca.pem', SIP_FORCE_RPORT: 'on' });
    assert.deepEqual([c.transports, c.wsPort, c.tlsPort, c.wssPort, c.tlsCa, c.forceRport], [['ws'], 8088, 0, 8089, '/ca.pem', true]);
  });

  const refusals: ReadonlyArray<readonly [string, Record<string, string>, RegExp]> = [
    ['an unknown transport', { SIP_TRANSPORTS: 'udp,sctp' }, /^SIP_TRANSPORTS: /],
    ['a transport listed twice', { SIP_TRANSPORTS: 'udp,ws,ws' }, /^SIP_TRANSPORTS: lists ws twice$/],
    ['tls without a certificate', { SIP_TRANSPORTS: 'udp,tls', SIP_TLS_KEY: '/k.pem' }, /^SIP_TLS_CERT: required when SIP_TRANSPORTS includes tls or wss$/],
    ['wss without a key', { SIP_TRANSPORTS: 'wss', SIP_TLS_CERT: '/c.pem' }, /^SIP_TLS_KEY: required when SIP_TRANSPORTS includes tls or wss$/],
    ['a port out of range', { SIP_TRANSPORTS: 'ws', SIP_WS_PORT: '70000' }, /^SIP_WS_PORT: /],
    ['a port that is not a number', { SIP_TLS_PORT: 'tls' }, /^SIP_TLS_PORT: /],
    ['ws and wss on one port', { SIP_TRANSPORTS: 'ws,wss', SIP_WS_PORT: '9000', SIP_WSS_PORT: '9000', ...TLS_FILES }, /^SIP_WSS_PORT: ws and wss cannot share port 9000$/],
    ['a bad SIP_FORCE_RPORT', { SIP_FORCE_RPORT: 'maybe' }, /^SIP_FORCE_RPORT: /],
  ];
  for (const [what, env, message] of refusals) {
    it(`refuses ${what}, naming the variable`, () => {
      assert.throws(() => loadSipFrontEndConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message));
    });
  }

  it('does not ask for certificate files when neither tls nor wss is used', () => {
    assert.equal(loadSipFrontEndConfig({ SIP_TRANSPORTS: 'udp,tcp,ws' }).tlsCert, undefined);
  });
});

describe('sipListenSpecs', () => {
  const material = { cert: Buffer.from('CERT'), key: Buffer.from('KEY') };

  it('puts udp and tcp on SIP_PORT and the others on their own ports, with the certificate for tls and wss', () => {
    const c = loadSipFrontEndConfig({ SIP_HOST: '127.0.0.1', SIP_TRANSPORTS: 'udp,tcp,tls,ws,wss', ...TLS_FILES });
    assert.deepEqual(sipListenSpecs(c, 5060, material), [
      { protocol: 'udp', host: '127.0.0.1', port: 5060 },
      { protocol: 'tcp', host: '127.0.0.1', port: 5060 },
      { protocol: 'tls', host: '127.0.0.1', port: 5061, cert: material.cert, key: material.key },
      { protocol: 'ws', host: '127.0.0.1', port: 5066 },
      { protocol: 'wss', host: '127.0.0.1', port: 7443, cert: material.cert, key: material.key },
    ]);
  });

  it('refuses a stream listener on the port TCP already has, and allows any number of port 0', () => {
    const c = loadSipFrontEndConfig({ SIP_TRANSPORTS: 'tcp,ws', SIP_WS_PORT: '5070' });
    assert.throws(() => sipListenSpecs(c, 5070, undefined), (e: unknown) => e instanceof ConfigError && e.message === 'SIP_WS_PORT: port 5070 is already taken by SIP_PORT (tcp)');
    const zero = loadSipFrontEndConfig({ SIP_TRANSPORTS: 'udp,tcp,tls,ws', SIP_TLS_PORT: '0', SIP_WS_PORT: '0', ...TLS_FILES });
    assert.deepEqual(sipListenSpecs(zero, 0, material).map((s) => s.port), [0, 0, 0, 0]);
  });
});

describe('loadTlsMaterial', () => {
  it('reads nothing when no transport needs TLS', () => {
    assert.equal(loadTlsMaterial({ transports: ['udp', 'ws'], tlsCert: undefined, tlsKey: undefined, tlsCa: undefined }, () => assert.fail('read a file')), undefined);
  });

  it('names the variable and the path of a file it cannot read', () => {
    const c = loadSipFrontEndConfig({ SIP_TRANSPORTS: 'tls', SIP_TLS_CERT: '/nonexistent/chorus-cert.pem', SIP_TLS_KEY: '/nonexistent/chorus-key.pem' });
    assert.throws(() => loadTlsMaterial(c), (e: unknown) => e instanceof ConfigError && /^SIP_TLS_CERT: cannot read \/nonexistent\/chorus-cert\.pem \(ENOENT/.test(e.message));
  });

  it('refuses files that are not a PEM certificate and key', () => {
    const c = loadSipFrontEndConfig({ SIP_TRANSPORTS: 'wss', ...TLS_FILES });
    assert.throws(
      () => loadTlsMaterial(c, () => Buffer.from('not pem')),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith('SIP_TLS_CERT / SIP_TLS_KEY: not a usable PEM certificate and key'),
    );
  });
});
