import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { domainCatalogue } from '../../../src/events/domain/domain-catalogue.ts';
import { InvalidEventError } from '../../../src/events/errors.ts';
import { DataKey } from '../../../src/privacy/data-key.ts';
import { erasedData, openData, ownersOf, sealData, sealedKeyIds } from '../../../src/privacy/personal-data-sealer.ts';
import { NO_PERSONAL_FIELDS, PERSONAL_FIELDS, personalFieldsOf } from '../../../src/privacy/personal-fields.ts';
import { sealedDomainCatalogue } from '../../../src/privacy/sealed-domain-store.ts';
import { ALICE, BOB, PERSONAL_SAMPLES, PLAINTEXTS } from '../../support/personal-data-samples.ts';

const EVENT_ID = '019abcde-0000-7000-8000-00000000beef';

function keysFor(...subjects: string[]): Map<string, DataKey> {
  return new Map(subjects.map((s, i) => [s, new DataKey(`6f1c0a2e-2222-4000-8000-00000000000${i}`, DataKey.generateMaterial())]));
}

describe('personal field declarations', () => {
  it('given the domain catalogue, then every event type is reviewed: declared with personal fields or listed as having none, not both', () => {
    for (const type of domainCatalogue.types) {
      const declared = type in PERSONAL_FIELDS;
      const none = NO_PERSONAL_FIELDS.has(type as never);
      assert.ok(declared !== none, `${type}: declare its personal fields in src/privacy/personal-fields.ts or add it to NO_PERSONAL_FIELDS`);
    }
  });

  it('given a sample of every type with personal fields, then each sample is a valid domain event (the samples cover the map)', () => {
    assert.deepEqual(Object.keys(PERSONAL_SAMPLES).sort(), Object.keys(PERSONAL_FIELDS).sort());
    for (const [type, data] of Object.entries(PERSONAL_SAMPLES)) domainCatalogue.encode(type, data);
  });
});

describe('sealing, opening and erasing every personal field', () => {
  for (const [type, data] of Object.entries(PERSONAL_SAMPLES)) {
    it(`${type}: sealed form hides the plaintext and passes the stored schema; opened equals the original; erased passes the domain schema`, () => {
      const keys = keysFor(ALICE, BOB);
      assert.ok(ownersOf(type, data).length > 0);
      const sealed = sealData(EVENT_ID, type, data, keys);
      const json = JSON.stringify(sealed);
      for (const plain of PLAINTEXTS) assert.ok(!json.includes(plain), `${type} stores "${plain}" in clear: ${json}`);
      // What the log adapter accepts and returns, tokens intact.
      assert.deepEqual(sealedDomainCatalogue.encode(type, sealed).data, sealed);
      assert.deepEqual(sealedDomainCatalogue.decode(type, sealed).data, sealed);

      const byId = new Map([...keys.values()].map((k) => [k.id, k]));
      assert.equal(sealedKeyIds(type, sealed).length, personalFieldsOf(type).filter((f) => JSON.stringify(sealed).includes(`"${f.path.at(-1)}":"chorus-sealed:`)).length);
      for (const id of sealedKeyIds(type, sealed)) assert.ok(byId.has(id));
      assert.deepEqual(openData(EVENT_ID, type, sealed, byId), data);

      const erased = openData(EVENT_ID, type, sealed, new Map([...byId.keys()].map((id) => [id, null])));
      assert.deepEqual(erased, erasedData(type, sealed));
      const decoded = domainCatalogue.decode(type, erased).data as Record<string, unknown>;
      for (const field of personalFieldsOf(type)) {
        let value: unknown = decoded;
        for (const key of field.path) value = (value as Record<string, unknown>)[key];
        if (value !== undefined) assert.deepEqual(value, field.erased, `${type} ${field.path.join('.')}`);
      }
      for (const plain of PLAINTEXTS) assert.ok(!JSON.stringify(erased).includes(plain), `${type} erased still shows "${plain}"`);
    });
  }

  it('given a value that is not a token (written before sealing existed), when opened, then it is returned as it was', () => {
    const data = PERSONAL_SAMPLES['im.message_sent.v1']!;
    assert.deepEqual(openData(EVENT_ID, 'im.message_sent.v1', data, new Map()), data);
  });

  it('given an IM that was not archived (body null), then nothing is sealed and no key is needed', () => {
    const data = { ...PERSONAL_SAMPLES['im.message_sent.v1']!, body: null, archived: false };
    assert.deepEqual(ownersOf('im.message_sent.v1', data), []);
    assert.deepEqual(sealData(EVENT_ID, 'im.message_sent.v1', data, new Map()), data);
  });

  it('given a PSTN route (no contacts), then call.routed has nothing to seal', () => {
    const data = {
      sipCallId: 'c',
      at: '2026-11-26T09:00:00.000Z',
      route: { kind: 'pstn', number: '+15557654329', routeName: 'r', gateway: 'g', gateways: ['g'], voicePolicy: 'p', pstnUsage: 'Local' },
    };
    assert.deepEqual(sealData(EVENT_ID, 'call.routed.v1', data, new Map()), data);
  });

  it('given a token where the erased form would break the schema (a bad sibling field), then the stored schema refuses it', () => {
    const keys = keysFor(ALICE);
    const sealed = sealData(EVENT_ID, 'directory.user_provisioned.v1', PERSONAL_SAMPLES['directory.user_provisioned.v1']!, keys);
    assert.throws(() => sealedDomainCatalogue.encode('directory.user_provisioned.v1', { ...(sealed as object), maxEndpoints: 0 }), InvalidEventError);
  });
});
