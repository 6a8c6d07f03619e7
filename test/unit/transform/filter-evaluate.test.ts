import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, filterDialectFor, MARIADB_DIALECT, MYSQL_DIALECT } from '../../../src/transform/index.js';
import { table } from './fixtures.js';

const T = table('db', 't', [
  { name: 'i', dataType: 'int' },
  { name: 'b', dataType: 'bigint' },
  { name: 'ub', dataType: 'bigint', unsigned: true },
  { name: 'dec', dataType: 'decimal' },
  { name: 'dbl', dataType: 'double' },
  { name: 'ai', dataType: 'varchar', collation: 'utf8mb4_0900_ai_ci' },
  { name: 'gen', dataType: 'varchar', collation: 'utf8mb4_general_ci' },
  { name: 'bin', dataType: 'varchar', collation: 'utf8mb4_bin' },
  { name: 'd', dataType: 'date' },
  { name: 'dt', dataType: 'datetime' },
  { name: 'e', dataType: 'enum', members: ['small', 'large'] },
]);
const COLS = T.columns.map((c) => c.name);

function row(values: Record<string, string | null>): Array<string | null> {
  return COLS.map((c) => (c in values ? values[c]! : null));
}
function passes(filter: string, values: Record<string, string | null>): boolean {
  return compileFilter(filter, T).passes(row(values));
}

test('numbers: integer vs string the MySQL way', () => {
  assert.equal(passes("i = '2abc'", { i: '2' }), true);
  assert.equal(passes("i = ' 7'", { i: '7' }), true);
  assert.equal(passes("i = '1e1'", { i: '10' }), true);
  assert.equal(passes("i = 'abc'", { i: '0' }), true);
  assert.equal(passes("i = '1.5'", { i: '2' }), false);
  assert.equal(passes("i < '1.5'", { i: '1' }), true);
});

test('BIGINT beyond 2^53 is exact against integers, decimals, doubles and integer strings', () => {
  const v = { b: '9007199254740993' };
  assert.equal(passes('b = 9007199254740993', v), true);
  assert.equal(passes('b = 9007199254740992', v), false);
  assert.equal(passes('b = 9007199254740993.0', v), true);
  assert.equal(passes('b = 9007199254740993e0', v), false); // the double is 9007199254740992
  assert.equal(passes("b = '9007199254740993'", v), true);
  assert.equal(passes('ub > 18446744073709551614', { ub: '18446744073709551615' }), true);
  assert.equal(passes('ub = 18446744073709551615e0', { ub: '18446744073709551615' }), false);
});

test('IN lists on integers follow MySQL: exact when every item converts, plain doubles otherwise', () => {
  const v = { b: '9007199254740993' };
  assert.equal(passes("b IN ('9007199254740992', 'x')", v), false);
  assert.equal(passes("b IN ('9007199254740992', 5)", v), true);
  assert.equal(passes("b IN ('9007199254740992', NULL)", v), true);
});

test('DECIMAL is exact against decimals, double against doubles', () => {
  assert.equal(passes('dec = 0.1', { dec: '0.1000' }), true);
  assert.equal(passes('dec > 12.339999999999999', { dec: '12.34' }), true);
  assert.equal(passes('dec = 12.34e0', { dec: '12.3400' }), true);
  assert.equal(passes('dec < -0.4', { dec: '-0.50' }), true);
  assert.equal(passes('dec = 0', { dec: '-0.00' }), true);
  assert.equal(passes('dec >= 100', { dec: '99.9999' }), false);
});

test('string columns against numbers compare as doubles', () => {
  assert.equal(passes('gen = 10', { gen: '1e1' }), true);
  assert.equal(passes('gen = 7', { gen: ' 7' }), true);
  assert.equal(passes('gen = 0', { gen: 'abc' }), true);
  assert.equal(passes('gen = 0', { gen: '' }), true);
  assert.equal(passes('dbl = 10', { dbl: '10' }), true);
});

test('utf8mb4_0900_ai_ci: accent and case insensitive, ß = ss, NO PAD', () => {
  assert.equal(passes("ai = 'resume'", { ai: 'RÉSUMÉ' }), true);
  assert.equal(passes("ai = 'ss'", { ai: 'ß' }), true);
  assert.equal(passes("ai = 'ae'", { ai: 'æ' }), true);
  assert.equal(passes("ai = 'a'", { ai: 'a ' }), false);
  assert.equal(passes("ai > 'a'", { ai: 'a ' }), true);
  assert.equal(passes("ai < 'b'", { ai: 'Ä' }), true);
});

test('utf8mb4_general_ci: case and some accents folded, ß = s, PAD SPACE', () => {
  assert.equal(passes("gen = 'A'", { gen: 'ä' }), true);
  assert.equal(passes("gen = 's'", { gen: 'ß' }), true);
  assert.equal(passes("gen = 'ss'", { gen: 'ß' }), false);
  assert.equal(passes("gen = 'a'", { gen: 'a   ' }), true);
  assert.equal(passes("gen = 'o'", { gen: 'ø' }), false); // general_ci keeps ø apart
});

test('utf8mb4_bin: code points, PAD SPACE (a tab sorts below the pad)', () => {
  assert.equal(passes("bin = 'a'", { bin: 'A' }), false);
  assert.equal(passes("bin = 'a'", { bin: 'a  ' }), true);
  assert.equal(passes("bin < 'a'", { bin: 'a\t' }), true);
  assert.equal(passes("bin > '\uffff'", { bin: '😀' }), true); // code point order, not UTF-16 order
});

test('DATE and DATETIME against string literals', () => {
  assert.equal(passes("d = '2024-01-02 00:00:00'", { d: '2024-01-02' }), true);
  assert.equal(passes("d < '2024-01-02 00:00:01'", { d: '2024-01-02' }), true);
  assert.equal(passes("d = '2024-1-2'", { d: '2024-01-02' }), true);
  assert.equal(passes("dt = '2024-01-02 03:04:05.1234'", { dt: '2024-01-02 03:04:05.123' }), false);
  assert.equal(passes("dt > '2024-01-02'", { dt: '2024-01-02 00:00:00.001' }), true);
  assert.equal(passes("dt IN ('2024-01-02')", { dt: '2024-01-02 00:00:00.000' }), true);
});

test('ENUM: strings by the collation, numbers by the member index', () => {
  assert.equal(passes("e = 'LARGE'", { e: 'large' }), true);
  assert.equal(passes('e = 2', { e: 'large' }), true);
});

test('three-valued logic: NULLs, NOT, IN and NOT IN with NULL in the list', () => {
  assert.equal(passes('i = 1', { i: null }), false);
  assert.equal(passes('NOT (i = 1)', { i: null }), false);
  assert.equal(passes('i IS NULL', { i: null }), true);
  assert.equal(passes('i = 1 OR i IS NULL', { i: null }), true);
  assert.equal(passes('i IN (1, NULL)', { i: '1' }), true);
  assert.equal(passes('i IN (2, NULL)', { i: '1' }), false);
  assert.equal(passes('i NOT IN (2, NULL)', { i: '1' }), false); // UNKNOWN, not TRUE
  assert.equal(passes('i NOT IN (2, 3)', { i: '1' }), true);
  assert.equal(passes('NOT (i NOT IN (2, NULL))', { i: '1' }), false);
  assert.equal(passes('i = NULL', { i: '1' }), false);
  assert.equal(passes('i IS NULL AND NOT (b = 1)', { i: null, b: null }), false);
});

test('UPDATE passes when its before or its after image passes', () => {
  const f = compileFilter("ai = 'paid'", T);
  assert.equal(f.passesUpdate(row({ ai: 'new' }), row({ ai: 'paid' })), true);
  assert.equal(f.passesUpdate(row({ ai: 'paid' }), row({ ai: 'refunded' })), true);
  assert.equal(f.passesUpdate(row({ ai: 'new' }), row({ ai: 'refunded' })), false);
});

test('approximate collations are named in the warnings', () => {
  const t = table('db', 't', [{ name: 's', dataType: 'varchar', collation: 'latin1_swedish_ci' }]);
  const f = compileFilter("s = 'a'", t);
  assert.match(f.warnings.join(' '), /latin1_swedish_ci, which sluice approximated by utf8mb4_general_ci's weights, PAD SPACE/);
});

test('MariaDB dialect: doubles meet big integers as doubles unless converted, strings as exact decimals', () => {
  const m = (filter: string, values: Record<string, string | null>): boolean =>
    compileFilter(filter, T, { dialect: MARIADB_DIALECT }).passes(row(values));
  assert.equal(m('ub >= 1.8446744073709552e19', { ub: '18446744073709551615' }), true);
  assert.equal(passes('ub >= 1.8446744073709552e19', { ub: '18446744073709551615' }), false);
  assert.equal(m('b = 9007199254740992e0', { b: '9007199254740993' }), false);
  assert.equal(m("b = '9007199254740992.5'", { b: '9007199254740992' }), false);
  assert.equal(m('b IN (1, 9007199254740992e0)', { b: '9007199254740993' }), true);
  assert.equal(m('b IN (9007199254740992e0, 5e0)', { b: '9007199254740993' }), false);
  assert.equal(filterDialectFor('10.11.19-MariaDB-0+deb12u1-log'), MARIADB_DIALECT);
  assert.equal(filterDialectFor('9.7.4-2'), MYSQL_DIALECT);
});
