/**
 * MySQL's numeric comparisons over text values, without allocating per row.
 * Evidence (MySQL 9.7 on the test service, 2026-11):
 *   - `bigint_col = 9007199254740993e0` does not match 9007199254740993: integer vs DOUBLE compares the
 *     exact values (the double is 9007199254740992), so BIGINT beyond 2^53 is compared exactly.
 *   - `decimal_col = 12.34e0` matches 12.34: DECIMAL vs DOUBLE converts the decimal to double.
 *   - `int_col = '2abc'` matches 2, `varchar_col = 10` matches '1e1', `= 7` matches ' 7': a string in a
 *     numeric comparison is read by my_strtod (leading blanks skipped, the longest numeric prefix, else 0).
 */

/** A decimal number as digit strings: no sign on zero, no leading zeros in `int`, no trailing zeros in `frac`. */
export interface DecimalValue {
  neg: boolean;
  int: string;
  frac: string;
}

const DECIMAL_TEXT = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/;

/** Parses plain decimal text ('42', '-12.50', '.5', ' 7 '); null for anything else (exponents included). */
export function parseDecimal(text: string): DecimalValue | null {
  const m = DECIMAL_TEXT.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const int = m[2]!.replace(/^0+/, '');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const zero = int === '' && frac === '';
  return { neg: m[1] === '-' && !zero, int, frac };
}

/**
 * Compares MySQL's printed integer or DECIMAL text (`-?\d+(\.\d+)?`, as the server and the format layer write
 * it) with an exact decimal value: -1, 0 or 1. Digit by digit, so DECIMAL(65,30) and unsigned BIGINT are exact.
 */
export function compareDecimalText(s: string, lit: DecimalValue): number {
  const n = s.length;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 45 /* - */) { neg = true; i = 1; } else if (c0 === 43 /* + */) i = 1;
  while (i < n && s.charCodeAt(i) === 48) i++;
  let dot = s.indexOf('.', i);
  if (dot < 0) dot = n;
  const intLen = dot - i;
  let zero = intLen === 0;
  if (zero) {
    for (let k = dot + 1; k < n; k++) if (s.charCodeAt(k) !== 48) { zero = false; break; }
  }
  const rowNeg = neg && !zero;
  if (rowNeg !== lit.neg) return rowNeg ? -1 : 1;
  const sign = rowNeg ? -1 : 1;
  const L = lit.int;
  if (intLen !== L.length) return intLen < L.length ? -sign : sign;
  for (let k = 0; k < intLen; k++) {
    const a = s.charCodeAt(i + k);
    const b = L.charCodeAt(k);
    if (a !== b) return a < b ? -sign : sign;
  }
  const F = lit.frac;
  const rowFrac = dot < n ? n - dot - 1 : 0;
  const len = rowFrac > F.length ? rowFrac : F.length;
  for (let k = 0; k < len; k++) {
    const a = k < rowFrac ? s.charCodeAt(dot + 1 + k) : 48;
    const b = k < F.length ? F.charCodeAt(k) : 48;
    if (a !== b) return a < b ? -sign : sign;
  }
  return 0;
}

/** MySQL's integer text vs a double, exactly (see the header): plain number compare while both are exact. */
export function compareIntegerTextToDouble(s: string, d: number): number {
  if (s.length <= 15) {
    const x = +s;
    return x < d ? -1 : x > d ? 1 : 0;
  }
  if (d === Infinity) return -1;
  if (d === -Infinity) return 1;
  const fl = Math.floor(d);
  const bi = BigInt(s);
  const bf = BigInt(fl);
  if (bi < bf) return -1;
  if (bi > bf) return 1;
  return fl === d ? 0 : -1;
}

export function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A string read as a number the way MySQL's my_strtod does in a numeric comparison: skip leading spaces and
 * tabs, then the longest prefix of the form [+-]digits[.digits][e[+-]digits]; no digits → 0. ('1e1' → 10,
 * ' 7' → 7, '12abc' → 12, 'abc' → 0, '' → 0, '0x10' → 0.) Overflow gives ±DBL_MAX, as my_strtod returns.
 */
export function mysqlStringToDouble(s: string): number {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  const start = i;
  let c = s.charCodeAt(i);
  if (c === 43 || c === 45) { i++; c = s.charCodeAt(i); }
  let digits = 0;
  while (c >= 48 && c <= 57) { i++; digits++; c = s.charCodeAt(i); }
  if (c === 46) {
    i++;
    c = s.charCodeAt(i);
    while (c >= 48 && c <= 57) { i++; digits++; c = s.charCodeAt(i); }
  }
  if (digits === 0) return 0;
  let end = i;
  if (c === 101 || c === 69) {
    let j = i + 1;
    let e = s.charCodeAt(j);
    if (e === 43 || e === 45) { j++; e = s.charCodeAt(j); }
    if (e >= 48 && e <= 57) {
      while (e >= 48 && e <= 57) { j++; e = s.charCodeAt(j); }
      end = j;
    }
  }
  // A trailing '.' ('1.') is fine for Number(); the slice holds only sign, digits, '.', 'e'.
  const v = Number(s.slice(start, end));
  if (v === Infinity) return Number.MAX_VALUE;
  if (v === -Infinity) return -Number.MAX_VALUE;
  return v;
}

/**
 * The integer MySQL makes of a constant compared with an integer column (it stores the constant into the
 * column's type first), or null when that conversion fails and MySQL compares as doubles instead.
 * Measured on MySQL 9.7 with `bigint_col IN (<c>, '9007199254740993')`: 'x', '', '12abc', ' 7', '1e1', '1.0',
 * '0x1' and 2e0 convert (to their numeric prefix: 0, 0, 12, 7, 10, 1, 0, 2); '1.5', 1.5e0, 1e30 and
 * '99999999999999999999' do not (a fraction, or outside the column's range).
 */
export function integerConstant(lit: string | number, range: readonly [bigint, bigint]): bigint | null {
  let v: bigint;
  if (typeof lit === 'number') {
    if (!Number.isFinite(lit) || !Number.isInteger(lit)) return null;
    v = BigInt(lit);
  } else {
    const m = /^[ \t\n\r\f\v]*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?/.exec(lit)!;
    const intPart = m[2] ?? '';
    const frac = m[3] ?? '';
    if (intPart === '' && frac === '') {
      v = 0n;
    } else {
      const digits = (intPart + frac).replace(/^0+/, '');
      const exp = (m[4] !== undefined && (intPart !== '' || frac !== '') ? Number(m[4]) : 0) - frac.length;
      if (digits === '') v = 0n;
      else if (exp >= 0) {
        if (digits.length + exp > 40) return null; // far outside any integer column
        v = BigInt(digits) * 10n ** BigInt(exp);
      } else {
        const cut = digits.length + exp;
        const tail = cut > 0 ? digits.slice(cut) : digits;
        if (/[1-9]/.test(tail)) return null; // a fraction: '1.5'
        v = cut > 0 ? BigInt(digits.slice(0, cut)) : 0n;
      }
      if (m[1] === '-') v = -v;
    }
  }
  return v >= range[0] && v <= range[1] ? v : null;
}

const INT_BITS: Record<string, number> = { tinyint: 8, smallint: 16, mediumint: 24, int: 32, integer: 32, bigint: 64 };

/** The value range of an integer column type (YEAR: 0 and 1901–2155, taken as 0–2155). */
export function integerRange(dataType: string, unsigned: boolean): readonly [bigint, bigint] {
  const t = dataType.toLowerCase();
  if (t === 'year') return [0n, 2155n];
  const bits = BigInt(INT_BITS[t] ?? 64);
  return unsigned ? [0n, (1n << bits) - 1n] : [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
}

/**
 * A string's numeric prefix as an exact decimal (blanks skipped, exponent applied): how MariaDB reads a string
 * compared with an integer column or an exact-number literal (`bigint_col = '9007199254740992.5'` does not
 * match 9007199254740992 there). No digits → 0.
 */
export function stringToDecimal(s: string): DecimalValue {
  const m = /^[ \t\n\r\f\v]*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?/.exec(s)!;
  let int = m[2] ?? '';
  let frac = m[3] ?? '';
  if (int === '' && frac === '') return { neg: false, int: '', frac: '' };
  // Exponents far beyond any column's range are clamped; the comparison's outcome does not change.
  const exp = Math.max(-400, Math.min(400, m[4] !== undefined ? Number(m[4]) : 0));
  if (exp > 0) {
    const moved = frac.padEnd(exp, '0');
    int += moved.slice(0, exp);
    frac = moved.slice(exp);
  } else if (exp < 0) {
    const padded = int.padStart(-exp, '0');
    frac = padded.slice(padded.length + exp) + frac;
    int = padded.slice(0, padded.length + exp);
  }
  int = int.replace(/^0+/, '');
  frac = frac.replace(/0+$/, '');
  return { neg: m[1] === '-' && (int !== '' || frac !== ''), int, frac };
}

export function compareDecimals(a: DecimalValue, b: DecimalValue): number {
  if (a.neg !== b.neg) return a.neg ? -1 : 1;
  const sign = a.neg ? -1 : 1;
  if (a.int.length !== b.int.length) return a.int.length < b.int.length ? -sign : sign;
  if (a.int !== b.int) return a.int < b.int ? -sign : sign;
  const n = Math.max(a.frac.length, b.frac.length);
  const fa = a.frac.padEnd(n, '0'), fb = b.frac.padEnd(n, '0');
  return fa === fb ? 0 : fa < fb ? -sign : sign;
}
