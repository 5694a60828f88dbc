/**
 * infra/docker-compose.yml cannot run here (no container engine), so it is
 * validated: `docker-compose config -q` (Debian's docker-compose, which parses
 * and checks the file without an engine) when installed, and always a parse
 * that checks the Pool's services, their roles and the variables each role
 * needs (checkRoleRequirements would refuse the role without them).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { z } from 'zod';

const COMPOSE = fileURLToPath(new URL('../../../infra/docker-compose.yml', import.meta.url));
const run = promisify(execFile);

async function composeValidator(): Promise<string | null> {
  try {
    await run('docker-compose', ['version']);
    return 'docker-compose';
  } catch {
    return null;
  }
}
const validator = await composeValidator();

const ServiceSchema = z.looseObject({
  image: z.string().optional(),
  command: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  depends_on: z.unknown().optional(),
});
const ComposeSchema = z.looseObject({ services: z.record(z.string(), ServiceSchema) });

describe('infra/docker-compose.yml', () => {
  it('passes docker-compose config -q', { skip: validator ? false : 'docker-compose is not installed (apt-get install -y docker-compose)' }, async () => {
    await run('docker-compose', ['-f', COMPOSE, 'config', '-q']);
    const { stdout } = await run('docker-compose', ['-f', COMPOSE, 'config', '--services']);
    assert.deepEqual(
      stdout.trim().split('\n').sort(),
      ['drachtio', 'eventstoredb', 'frontend-1', 'frontend-2', 'kafka', 'postgres', 'projector', 'relay'],
    );
  });

  it('declares the Pool: infrastructure, two front ends, a projector and a relay with what their roles need', () => {
    // `merge: true` resolves the `<<: *chorus-env` keys the file shares between the Chorus services.
    const compose = ComposeSchema.parse(parse(readFileSync(COMPOSE, 'utf8'), { merge: true }));
    const services = compose.services;
    for (const name of ['postgres', 'kafka', 'eventstoredb', 'drachtio']) assert.ok(services[name]?.image, `${name} has an image`);
    assert.equal(services['kafka']!.environment?.['KAFKA_PROCESS_ROLES'], 'broker,controller', 'Kafka runs in KRaft mode');

    const roleOf = (name: string): string | undefined => {
      const command = services[name]?.command ?? [];
      const i = command.indexOf('--role');
      return i >= 0 ? command[i + 1] : undefined;
    };
    const byRole = (role: string): string[] => Object.keys(services).filter((n) => roleOf(n) === role).sort();
    assert.deepEqual(byRole('frontend'), ['frontend-1', 'frontend-2']);
    assert.deepEqual(byRole('projector'), ['projector']);
    assert.deepEqual(byRole('relay'), ['relay']);

    const nodeIds = new Set<string>();
    for (const name of [...byRole('frontend'), ...byRole('projector'), ...byRole('relay')]) {
      const env = services[name]!.environment ?? {};
      assert.equal(env['CHORUS_STORE'], 'postgres', `${name}: the shared PostgreSQL log`);
      assert.match(env['DATABASE_URL'] ?? '', /^postgres:\/\/[^@]+@postgres:5432\//, `${name}: DATABASE_URL points at the postgres service`);
      assert.equal(env['KAFKA_BROKERS'], 'kafka:9092', `${name}: KAFKA_BROKERS points at the kafka service`);
      const nodeId = env['CHORUS_NODE_ID'] ?? '';
      assert.ok(nodeId !== '' && !nodeIds.has(nodeId), `${name}: a CHORUS_NODE_ID of its own`);
      nodeIds.add(nodeId);
    }
    assert.equal(services['relay']!.environment?.['CHORUS_KAFKA_CREATE_TOPIC'], 'true', 'the relay creates the topic');
    assert.equal(services['kafka']!.environment?.['KAFKA_AUTO_CREATE_TOPICS_ENABLE'], 'false', 'only the relay creates the topic');
  });
});
