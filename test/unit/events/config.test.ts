import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config/config.ts';

describe('loadConfig', () => {
  it('given an empty environment, when loaded, then every default applies', () => {
    const config = loadConfig({});
    assert.equal(config.store, 'pglite');
    assert.equal(config.dataDir, './data');
    assert.equal(config.httpPort, 8080);
    assert.equal(config.sipPort, 5060);
    assert.equal(config.domain, 'example.test');
    assert.equal(config.logLevel, 'info');
    assert.equal(config.databaseUrl, undefined);
  });

  it('given valid values, when loaded, then they are parsed (ports as numbers)', () => {
    const config = loadConfig({
      CHORUS_STORE: 'postgres',
      DATABASE_URL: 'postgres://u@db:5432/chorus',
      HTTP_PORT: '9090',
      CHORUS_DATA_DIR: 'memory://',
    });
    assert.equal(config.store, 'postgres');
    assert.equal(config.databaseUrl, 'postgres://u@db:5432/chorus');
    assert.equal(config.httpPort, 9090);
    assert.equal(config.dataDir, 'memory://');
  });

  it('given a variable set to the empty string, when loaded, then it counts as unset', () => {
    assert.equal(loadConfig({ HTTP_PORT: '' }).httpPort, 8080);
  });

  const bad: [string, Record<string, string>, string][] = [
    ['a non-numeric HTTP port', { HTTP_PORT: 'eighty' }, 'HTTP_PORT'],
    ['a SIP port out of range', { SIP_PORT: '70000' }, 'SIP_PORT'],
    ['an unknown store', { CHORUS_STORE: 'mysql' }, 'CHORUS_STORE'],
    ['postgres without DATABASE_URL', { CHORUS_STORE: 'postgres' }, 'DATABASE_URL'],
    ['a DATABASE_URL of another protocol', { DATABASE_URL: 'mysql://u@db/x' }, 'DATABASE_URL'],
    ['eventstoredb without ESDB_URL', { CHORUS_STORE: 'eventstoredb' }, 'ESDB_URL'],
    ['an ESDB_URL that is not esdb://', { ESDB_URL: 'http://localhost:2113' }, 'ESDB_URL'],
    ['a short admin token', { CHORUS_ADMIN_TOKEN: 'short' }, 'CHORUS_ADMIN_TOKEN'],
    ['an unknown log level', { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    ['a domain with a space', { CHORUS_DOMAIN: 'example test' }, 'CHORUS_DOMAIN'],
  ];
  for (const [name, env, variable] of bad)
    it(`given ${name}, when loaded, then ConfigError names ${variable}`, () => {
      assert.throws(
        () => loadConfig(env),
        (err: unknown) => err instanceof ConfigError && err.message.startsWith(`${variable}: `),
      );
    });
});
