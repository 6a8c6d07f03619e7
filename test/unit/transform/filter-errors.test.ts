import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/errors.js';
import { checkFilter, compileFilter, FilterError } from '../../../src/transform/index.js';
import { ORDERS } from './fixtures.js';

/** Compiling `text` fails with one sentence matching `re` at the given 1-based column. */
function refused(text: string, column: number, re: RegExp): void {
  assert.throws(() => compileFilter(text, ORDERS), (e: unknown) => {
    assert.ok(e instanceof FilterError && e instanceof ConfigError, String(e));
    assert.match(e.message, /^filter for shop\.orders: /);
    assert.match(e.message, re);
    assert.equal(e.column, column, e.message);
    assert.ok(!e.message.includes('\n'), 'one sentence, one line');
    return true;
  });
}

test('an injection attempt cannot parse: the ; is refused with its position', () => {
  refused('id=1; DROP TABLE t', 5, /unexpected ';' at column 5 — filters accept only comparisons, IN, IS NULL, AND\/OR\/NOT and parentheses/);
  refused("id = 1 -- x", 8, /'--' at column 8 starts a comment/);
  refused("id = 1 /* x */", 8, /unexpected '\/' at column 8/);
  refused("status = 'a' OR 1=1", 17, /names no column/);
});

test('syntax errors name the position', () => {
  refused('id >', 5, /the filter ends early at column 5 \(expected a value\)/);
  refused('(id > 1', 8, /ends early at column 8 \(expected '\)'\)/);
  refused('id > 1)', 7, /unexpected '\)' at column 7/);
  refused('id 5', 4, /unexpected '5' at column 4 \(expected a comparison, IN or IS NULL after id\)/);
  refused('id IN ()', 8, /unexpected '\)' at column 8/);
  refused('id IS 5', 7, /expected NULL or NOT NULL after IS/);
  refused('', 1, /the filter is empty/);
  refused('id == 1', 4, /'==' at column 4 is not SQL/);
  refused('status = "paid"', 10, /double quote at column 10: write strings in single quotes/);
  refused('id = 0x10', 6, /'0x10' at column 6 is not a number/);
});

test('an unterminated string names where it starts', () => {
  refused("status = 'paid", 10, /unterminated string starting at column 10; close it with '/);
  refused("status = 'it\\'s'", 13, /backslash at column 13/);
});

test('unsupported operators and function calls are named', () => {
  refused("status LIKE 'p%'", 8, /LIKE at column 8 is not supported/);
  refused('id BETWEEN 1 AND 2', 4, /BETWEEN at column 4 is not supported/);
  refused("upper(status) = 'PAID'", 1, /function call upper\( at column 1 is not supported/);
  refused('id <=> 1', 4, /'<=>' at column 4 is not supported/);
  refused('id = 1 && id = 2', 8, /unexpected '&' at column 8/);
  refused('id = 1 XOR id = 2', 8, /XOR at column 8 is not supported/);
});

test('an unknown column is named with near names and the table columns', () => {
  refused('custmer_id = 7', 1, /unknown column `custmer_id` at column 1; did you mean `customer_id`\? \(the table has: id, customer_id, amount/);
  refused('`zzz` = 7', 1, /unknown column `zzz` at column 1 \(the table has:/);
});

test('clearly wrong comparisons are refused', () => {
  refused("created > 'yesterday'", 11, /'yesterday' at column 11 is not a valid date for DATETIME column `created`/);
  refused("day = '2024-02-30'", 7, /not a valid date for DATE column `day`/);
  refused('created > 20240101', 11, /DATETIME column `created` is compared with the number 20240101/);
  refused("payload = '{}'", 11, /JSON column `payload` cannot be compared in a filter .*IS NULL or IS NOT NULL/);
  refused('id = status', 1, /compares two columns/);
  refused('1 = 1', 1, /names no column/);
});

test('checkFilter returns the refusal or the warnings for precheck', () => {
  const bad = checkFilter('nope = 1', ORDERS);
  assert.equal(bad.ok, false);
  const ok = checkFilter("amount = 'abc' AND payload IS NULL AND id = NULL", ORDERS);
  assert.ok(ok.ok);
  if (ok.ok) {
    assert.ok(ok.warnings.some((w) => /'abc' at column 10 is compared with numeric column `amount`, so MySQL reads it as the number 0/.test(w)), ok.warnings.join('|'));
    assert.ok(ok.warnings.some((w) => /`id` = NULL at column \d+ is never true/.test(w)));
  }
});
