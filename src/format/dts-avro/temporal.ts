/**
 * Temporal values into DTS DateTime / Timestamp, from the two paths' forms:
 * - snapshot: the text MySQL prints ('2024-01-02 03:04:05.123456', '-838:59:59.000000', '0000-00-00'), and
 *   for TIMESTAMP the text of UNIX_TIMESTAMP(col) ('1704164645.123456'), which is epoch based and so
 *   independent of the session time_zone;
 * - binlog: the raw row-image bytes of DATE, DATETIME2, TIMESTAMP2, TIME2 and YEAR (sql-common/my_time.cc),
 *   which zongji hands over untouched once zongji-raw.ts has re-typed the table map. zongji's own decoding
 *   goes through JS Date (milliseconds, the process time zone, no zero dates) and maps YEAR 0000 to 1900.
 * Every function here is exact to the microsecond and never consults a time zone.
 */
import type { DtsDateTime, DtsTimestamp } from './types.js';

const DIGIT0 = 48;

/** Decimal digits of b[start, end) as a number (ASCII digits only, as MySQL prints them). */
export function digits(b: Uint8Array, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) v = v * 10 + ((b[i] as number) - DIGIT0);
  return v;
}

/** Fraction digits after a '.', scaled to microseconds ('5' → 500000). */
export function micros(b: Uint8Array, start: number, end: number): number {
  let v = 0;
  let n = 0;
  for (let i = start; i < end && n < 6; i++, n++) v = v * 10 + ((b[i] as number) - DIGIT0);
  for (; n < 6; n++) v *= 10;
  return v;
}

export function dateTimeValue(
  year: number | null,
  month: number | null,
  day: number | null,
  hour: number | null,
  minute: number | null,
  second: number | null,
  millis: number | null,
): DtsDateTime {
  return { kind: 'DateTime', year, month, day, hour, minute, second, millis };
}

// ---- snapshot: MySQL's text ----

/** 'YYYY-MM-DD' */
export function dateFromText(b: Uint8Array): DtsDateTime {
  return dateTimeValue(digits(b, 0, 4), digits(b, 5, 7), digits(b, 8, 10), null, null, null, null);
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' */
export function dateTimeFromText(b: Uint8Array): DtsDateTime {
  return dateTimeValue(
    digits(b, 0, 4),
    digits(b, 5, 7),
    digits(b, 8, 10),
    digits(b, 11, 13),
    digits(b, 14, 16),
    digits(b, 17, 19),
    b.length > 20 ? micros(b, 20, b.length) : 0,
  );
}

/** '[-]H…H:MM:SS[.ffffff]' — hours may take three digits; a negative TIME carries the sign on each part. */
export function timeFromText(b: Uint8Array): DtsDateTime {
  const neg = b[0] === 45; // '-'
  let i = neg ? 1 : 0;
  let colon = i;
  while (b[colon] !== 58) colon++; // ':'
  const h = digits(b, i, colon);
  i = colon + 1;
  const m = digits(b, i, i + 2);
  const s = digits(b, i + 3, i + 5);
  const us = b.length > i + 6 ? micros(b, i + 6, b.length) : 0;
  const sign = neg ? -1 : 1;
  // `|| 0` turns -0 into 0: Avro ints have no negative zero and avsc would write 0 anyway
  return dateTimeValue(null, null, null, sign * h || 0, sign * m || 0, sign * s || 0, sign * us || 0);
}

/** 'YYYY' (YEAR prints 0000 for the zero year) */
export function yearFromText(b: Uint8Array): DtsDateTime {
  return dateTimeValue(digits(b, 0, b.length), null, null, null, null, null, null);
}

/** The text of UNIX_TIMESTAMP(col): 'seconds[.ffffff]'; the zero TIMESTAMP gives '0' → {0, 0}. */
export function timestampFromEpochText(b: Uint8Array): DtsTimestamp {
  let dot = 0;
  while (dot < b.length && b[dot] !== 46) dot++;
  return { kind: 'Timestamp', timestamp: digits(b, 0, dot), millis: dot < b.length ? micros(b, dot + 1, b.length) : 0 };
}

// ---- binlog: raw row-image bytes ----

/** Fractional seconds stored after DATETIME2/TIMESTAMP2/TIME2 (1, 2 or 3 big-endian bytes for fsp 1-2, 3-4, 5-6). */
function fracMicros(b: Uint8Array, pos: number, fsp: number): number {
  switch ((fsp + 1) >> 1) {
    case 1:
      return (b[pos] as number) * 10000;
    case 2:
      return ((b[pos] as number) * 256 + (b[pos + 1] as number)) * 100;
    case 3:
      return ((b[pos] as number) * 65536 + (b[pos + 1] as number) * 256 + (b[pos + 2] as number));
    default:
      return 0;
  }
}

/** DATE: 3 bytes little-endian, day | month << 5 | year << 9. */
export function dateFromBinlog(b: Uint8Array): DtsDateTime {
  const v = (b[0] as number) | ((b[1] as number) << 8) | ((b[2] as number) << 16);
  return dateTimeValue(v >>> 9, (v >>> 5) & 15, v & 31, null, null, null, null);
}

/** YEAR: one byte, 0 for the zero year, else year - 1900. */
export function yearFromBinlog(b: Uint8Array): DtsDateTime {
  const v = b[0] as number;
  return dateTimeValue(v === 0 ? 0 : 1900 + v, null, null, null, null, null, null);
}

/** DATETIME2: 40 bits big-endian (sign, year*13+month:17, day:5, hour:5, minute:6, second:6), then the fraction. */
export function dateTimeFromBinlog(b: Uint8Array, fsp: number): DtsDateTime {
  // the 40-bit integer minus its sign bit; split as high 8 + low 32 to stay in exact int arithmetic
  const hi = (b[0] as number) & 0x7f;
  const lo = (((b[1] as number) << 24) | ((b[2] as number) << 16) | ((b[3] as number) << 8) | (b[4] as number)) >>> 0;
  const ymd = hi * 2 ** 15 + (lo >>> 17); // bits 17..38: (year*13+month) << 5 | day
  const hms = lo & 0x1ffff;
  const ym = Math.floor(ymd / 32);
  return dateTimeValue(
    Math.floor(ym / 13),
    ym % 13,
    ymd % 32,
    hms >>> 12,
    (hms >>> 6) & 63,
    hms & 63,
    fracMicros(b, 5, fsp),
  );
}

/** TIMESTAMP2: 4 bytes big-endian epoch seconds, then the fraction. */
export function timestampFromBinlog(b: Uint8Array, fsp: number): DtsTimestamp {
  const sec = (((b[0] as number) << 24) | ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number)) >>> 0;
  return { kind: 'Timestamp', timestamp: sec, millis: fracMicros(b, 4, fsp) };
}

/**
 * TIME2 (my_time_packed_from_binary): 3 bytes big-endian offset by 0x800000, then the fraction; negative values
 * with a fraction store the fraction complemented ("reverse order, for binary sort"), and fsp 5-6 store one
 * 48-bit integer offset by 0x800000000000.
 */
export function timeFromBinlog(b: Uint8Array, fsp: number): DtsDateTime {
  const int3 = ((b[0] as number) << 16) | ((b[1] as number) << 8) | (b[2] as number);
  let packed: number; // MY_PACKED_TIME: (intpart << 24) + micros, signed
  const bytes = (fsp + 1) >> 1;
  if (bytes === 3) {
    packed = int3 * 2 ** 24 + ((b[3] as number) << 16 | (b[4] as number) << 8 | (b[5] as number)) - 0x800000 * 2 ** 24;
  } else {
    let intpart = int3 - 0x800000;
    let frac = 0;
    if (bytes === 1) {
      frac = b[3] as number;
      if (intpart < 0 && frac) {
        intpart++;
        frac -= 0x100;
      }
      frac *= 10000;
    } else if (bytes === 2) {
      frac = ((b[3] as number) << 8) | (b[4] as number);
      if (intpart < 0 && frac) {
        intpart++;
        frac -= 0x10000;
      }
      frac *= 100;
    }
    packed = intpart * 2 ** 24 + frac;
  }
  const neg = packed < 0;
  if (neg) packed = -packed;
  const hms = Math.floor(packed / 2 ** 24);
  const us = packed % 2 ** 24;
  const sign = neg ? -1 : 1;
  return dateTimeValue(
    null,
    null,
    null,
    sign * ((hms >>> 12) % 1024) || 0,
    sign * ((hms >>> 6) & 63) || 0,
    sign * (hms & 63) || 0,
    sign * us || 0,
  );
}
