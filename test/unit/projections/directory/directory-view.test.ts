import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { domainCatalogue, type DomainEvent } from '../../../../src/events/domain/domain-catalogue.ts';
import type { NewEvent } from '../../../../src/events/envelope.ts';
import type { CredentialStore } from '../../../../src/realtime/auth/credential-store.ts';
import { directoryReader, type DirectoryReader } from '../../../../src/projections/directory/directory-reader.ts';
import type { DirectoryState } from '../../../../src/projections/directory/directory-state.ts';
import { directoryView } from '../../../../src/projections/directory/directory-view.ts';
import { ProjectionFailedError } from '../../../../src/projections/framework/errors.ts';
import { InMemoryView } from '../../../../src/projections/framework/in-memory-view.ts';
import { InMemoryEventStore } from '../../../support/in-memory-event-store.ts';
import { silentLogger } from '../../../support/silent-logger.ts';
import { ALICE, BOB, appendAll, credentialsSet, deprovisioned, provisioned, updated } from './domain-event-fixtures.ts';

const WAIT = 10_000;

describe('directory view', () => {
  let store: InMemoryEventStore<DomainEvent>;
  let view: InMemoryView<DomainEvent, DirectoryState>;
  let reader: DirectoryReader;
  const changes: string[][] = [];

  beforeEach(async () => {
    store = new InMemoryEventStore(domainCatalogue);
    view = new InMemoryView({ store, definition: directoryView, logger: silentLogger });
    view.on('changed', (c) => changes.push([...c.keys]));
    reader = directoryReader(view);
    changes.length = 0;
    await view.start();
  });

  afterEach(async () => {
    await view.close();
    await store.close();
  });

  async function given(events: readonly NewEvent<DomainEvent>[]): Promise<void> {
    await view.waitForPosition(await appendAll(store, events), WAIT);
  }

  it('knows a provisioned user by SIP URI, with no credentials until they are set', async () => {
    await given([
      provisioned(ALICE, { displayName: 'Alice', lineUri: 'tel:+14255550100;ext=100', enterpriseVoiceEnabled: true, dialPlan: 'Redmond', voicePolicy: 'Standard', maxEndpoints: 4 }),
    ]);
    assert.deepEqual(reader.user(ALICE), {
      sipUri: ALICE,
      displayName: 'Alice',
      lineUri: 'tel:+14255550100;ext=100',
      enterpriseVoiceEnabled: true,
      dialPlan: 'Redmond',
      voicePolicy: 'Standard',
      maxEndpoints: 4,
    });
    assert.equal(reader.credentials(ALICE), null);
    assert.equal(reader.user(BOB), null);
  });

  it('is the credential store the digest authenticator reads', async () => {
    await given([provisioned(ALICE), credentialsSet(ALICE, 'e', 'example.test')]);
    // Compile-time half: the reader satisfies the SIP plane's interface as it is.
    const store: CredentialStore = reader;
    assert.deepEqual(store.credentials(ALICE), { realm: 'example.test', ha1Md5: 'e'.repeat(32), ha1Sha256: 'e'.repeat(64) });
  });

  it('answers HA1 per digest algorithm with its realm; an update keeps them, new ones replace them', async () => {
    await given([provisioned(ALICE), credentialsSet(ALICE, 'a', 'example.test')]);
    assert.deepEqual(reader.credentials(ALICE), { realm: 'example.test', ha1Md5: 'a'.repeat(32), ha1Sha256: 'a'.repeat(64) });

    await given([
      updated(ALICE, { displayName: 'Alice B.', lineUri: null, enterpriseVoiceEnabled: false, dialPlan: null, voicePolicy: null, maxEndpoints: 2, at: '2024-05-02T00:00:00.000Z' }),
    ]);
    assert.equal(reader.user(ALICE)?.displayName, 'Alice B.');
    assert.equal(reader.user(ALICE)?.maxEndpoints, 2);
    assert.equal(reader.credentials(ALICE)?.ha1Md5, 'a'.repeat(32));

    await given([credentialsSet(ALICE, 'b', 'chorus.test')]);
    assert.deepEqual(reader.credentials(ALICE), { realm: 'chorus.test', ha1Md5: 'b'.repeat(32), ha1Sha256: 'b'.repeat(64) });
  });

  it('forgets a deprovisioned user and their credentials, and reports each changed user', async () => {
    await given([provisioned(ALICE), provisioned(BOB), credentialsSet(ALICE, 'c'), deprovisioned(ALICE)]);
    assert.equal(reader.user(ALICE), null);
    assert.equal(reader.credentials(ALICE), null);
    assert.equal(reader.user(BOB)?.sipUri, BOB);
    assert.deepEqual([...new Set(changes.flat())].sort(), [ALICE, BOB].sort());
  });

  it('stops, rather than invent a user, when credentials arrive for an unknown one', async () => {
    const position = await appendAll(store, [credentialsSet(ALICE, 'd')]);
    await assert.rejects(view.waitForPosition(position, WAIT), (e: unknown) => e instanceof ProjectionFailedError && /unknown user/.test(e.message));
    assert.equal(view.phase, 'failed');
  });
});
