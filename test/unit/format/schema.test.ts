import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { DTS_NAMESPACE, dtsRecordType } from '../../../src/format/dts-avro/schema.js';

const REFERENCE = '/work/shared/reference/dts-record.avsc';

function referenceRecordType(): avro.Type {
  const registry: Record<string, avro.Type> = {};
  avro.Type.forSchema(JSON.parse(readFileSync(REFERENCE, 'utf8')) as avro.Schema, { registry });
  const t = registry[`${DTS_NAMESPACE}.Record`];
  assert.ok(t);
  return t;
}

test('sluice schema has the Parsing Canonical Form of the published reference file', () => {
  const ours = dtsRecordType();
  const ref = referenceRecordType();
  // getSchema() without exportAttrs is avsc's Parsing Canonical Form
  assert.equal(JSON.stringify(ours.schema()), JSON.stringify(ref.schema()));
  assert.equal(ours.fingerprint('sha256').toString('hex'), ref.fingerprint('sha256').toString('hex'));
});
