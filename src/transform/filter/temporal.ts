/**
 * DATE / DATETIME / TIMESTAMP / TIME values as two numbers that compare like MySQL's temporal comparison:
 * `sec` (calendar position in whole seconds, via a mixed radix that keeps the order) and `micro`.
 * Evidence (MySQL 9.7): `date_col = '2024-01-02 00:00:00'` matches 2024-01-02 and `date_col <
 * '2024-01-02 00:00:01'` matches it too — a DATE meets a DATETIME literal as midnight; `datetime3_col =
 * '2024-01-02 03:04:05.1234'` does not match …05.123 — the literal keeps its microseconds; `date_col IN
 * ('2024-01-02')` compares as dates; `date_col = 'abc'` is an error ("Incorrect DATE value"), so sluice
 * refuses a non-date literal at compile time rather than guess.
 */

export interface TemporalValue {
  sec: number;
  micro: number;
}

function calendarSeconds(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  // Not epoch arithmetic: MySQL orders zero dates and zero-in-date values ('2024-00-00') too, and a mixed
  // radix keeps that order while staying an exact integer (< 2^53).
  return ((((y * 13 + mo) * 32 + d) * 24 + h) * 60 + mi) * 60 + s;
}

function daysIn(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const DATE_LITERAL =
  /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6}))?)?)?\s*$/;
const DATE_COMPACT = /^\s*(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?\s*$/;

/**
 * A date or datetime literal as a filter may write it: 'YYYY-MM-DD', 'YYYY-M-D', 'YYYY-MM-DD hh:mm[:ss[.ffffff]]'
 * (space or T), or 'YYYYMMDD[hhmmss]'. The all-zero date is accepted; other invalid dates return null.
 */
export function parseDateTimeLiteral(text: string): TemporalValue | null {
  const m = DATE_LITERAL.exec(text) ?? DATE_COMPACT.exec(text);
  if (!m) return null;
  const y = +m[1]!, mo = +m[2]!, d = +m[3]!;
  const h = m[4] ? +m[4] : 0, mi = m[5] ? +m[5] : 0, s = m[6] ? +m[6] : 0;
  const frac = m[7] ?? '';
  const zeroDate = y === 0 && mo === 0 && d === 0;
  if (!zeroDate && (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo))) return null;
  if (h > 23 || mi > 59 || s > 59) return null;
  return { sec: calendarSeconds(y, mo, d, h, mi, s), micro: frac === '' ? 0 : +frac.padEnd(6, '0') };
}

function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) v = v * 10 + (s.charCodeAt(i + k) - 48);
  return v;
}

/**
 * Compares MySQL's printed DATE ('YYYY-MM-DD') or DATETIME/TIMESTAMP ('YYYY-MM-DD hh:mm:ss[.f…]') text with a
 * literal, reading the fixed positions in place (no allocation).
 */
export function compareDateTimeText(v: string, lit: TemporalValue): number {
  let sec: number;
  let micro = 0;
  if (v.length >= 19) {
    sec = calendarSeconds(digits(v, 0, 4), digits(v, 5, 2), digits(v, 8, 2), digits(v, 11, 2), digits(v, 14, 2), digits(v, 17, 2));
    if (v.length > 20) {
      const f = v.length - 20;
      micro = digits(v, 20, f > 6 ? 6 : f);
      for (let k = f; k < 6; k++) micro *= 10;
    }
  } else {
    sec = calendarSeconds(digits(v, 0, 4), digits(v, 5, 2), digits(v, 8, 2), 0, 0, 0);
  }
  if (sec !== lit.sec) return sec < lit.sec ? -1 : 1;
  return micro < lit.micro ? -1 : micro > lit.micro ? 1 : 0;
}

const TIME_LITERAL = /^\s*(-)?(\d{1,3}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6}))?)?\s*$/;

/** A TIME literal '[-]h:mm[:ss[.ffffff]]' as signed microseconds; null when it is not one. */
export function parseTimeLiteral(text: string): number | null {
  const m = TIME_LITERAL.exec(text);
  if (!m) return null;
  if (+m[3]! > 59 || (m[4] !== undefined && +m[4] > 59)) return null;
  const us = ((+m[2]! * 60 + +m[3]!) * 60 + (m[4] ? +m[4] : 0)) * 1e6 + (m[5] ? +m[5].padEnd(6, '0') : 0);
  return m[1] ? -us : us;
}

/** MySQL's printed TIME ('-838:59:59.000000' … '838:59:59') as signed microseconds. */
export function timeTextMicros(v: string): number {
  const t = parseTimeLiteral(v);
  return t === null ? 0 : t;
}
