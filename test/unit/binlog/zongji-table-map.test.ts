import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../../src/source/binlog/zongji-table-map.js';
import { readColumnCollations } from '../../../src/source/binlog/zongji-table-map.js';

const lib = new URL('./lib/', import.meta.resolve('@vlasky/zongji'));
const { TableMap } = (await import(new URL('binlog_event.js', lib).href)) as { TableMap: new (parser: unknown, options: unknown, zongji: unknown) => { _columnCharsetIds?: unknown[]; columnNames?: string[]; geometryTypes?: unknown[] } };
const { Parser } = (await import(new URL('reader.js', lib).href)) as { Parser: new () => { append(b: Buffer): void } };

/**
 * The TABLE_MAP body MariaDB 10.11 wrote (mariadb-binlog --hexdump, checksum stripped) for
 * (id INT, g GEOMETRY, s VARCHAR(10) utf8mb4, t TEXT latin1, p POINT, u VARCHAR(5) utf8mb4); its COLUMN_CHARSET
 * field lists the two GEOMETRY columns too: 03 05 | 3f 2d 08 3f 2d.
 */
const MARIADB_BODY = Buffer.from(
  '150000000000010008' + Buffer.from('geoprobe').toString('hex') + '0002' + Buffer.from('t3').toString('hex') +
    '0006' + '03ff0ffcff0f' + '07' + '04280002041400' + '3e' + '010100' + '03053f2d083f2d' + '07020001' +
    '040d' + '026964' + '0167' + '0173' + '0174' + '0170' + '0175',
  'hex',
);

function parse(body: Buffer, isMariaDb: boolean): { _columnCharsetIds?: unknown[]; columnNames?: string[]; geometryTypes?: unknown[] } {
  const parser = new Parser();
  parser.append(body);
  return new TableMap(parser, { timestamp: 0, nextPosition: 0, size: body.length }, { tableMap: {}, _skipSchema: () => false, isMariaDb, useChecksum: false });
}

test('MariaDB: a text column after a GEOMETRY column keeps its own collation (GEOMETRY counts in the charset list there)', () => {
  const ev = parse(MARIADB_BODY, true);
  assert.deepEqual(ev.columnNames, ['id', 'g', 's', 't', 'p', 'u']);
  assert.deepEqual([...(ev._columnCharsetIds ?? [])], [undefined, undefined, 45, 8, undefined, 45]);
  assert.deepEqual(ev.geometryTypes?.[4], 1, 'POINT keeps its geometry type');
});

test('pin: zongji itself shifts the collations after a GEOMETRY column (remove the correction when this fails)', () => {
  const ev = parse(MARIADB_BODY, false); // MySQL's rule, which zongji applies to every server
  assert.deepEqual([...(ev._columnCharsetIds ?? [])], [undefined, undefined, 63, 45, undefined, 8]);
});

test('readColumnCollations: DEFAULT_CHARSET (a default and exceptions by position) and COLUMN_CHARSET', () => {
  const types = [3, 255, 15, 252, 255, 15];
  const chars = new Set([15, 252, 255]);
  // default 45; exceptions: position 0 → 63, position 2 → 8, position 3 → 63
  const def = Buffer.from('0207' + '2d' + '003f' + '0208' + '033f', 'hex');
  assert.deepEqual(readColumnCollations(def, types, chars), [undefined, 63, 45, 8, 63, 45]);
  assert.equal(readColumnCollations(Buffer.from('010100', 'hex'), types, chars), undefined, 'no charset field');
  assert.throws(() => readColumnCollations(Buffer.from('0309', 'hex'), types, chars), /Malformed/);
});

test('the test-only switch hides the optional metadata, as a 5.7-shaped server writes the TABLE_MAP', () => {
  process.env.SLUICE_TEST_TABLE_MAP_WITHOUT_METADATA = '1';
  try {
    const ev = parse(MARIADB_BODY, true);
    assert.equal(ev.columnNames, undefined);
    assert.equal(ev._columnCharsetIds, undefined);
  } finally {
    delete process.env.SLUICE_TEST_TABLE_MAP_WITHOUT_METADATA;
  }
});
