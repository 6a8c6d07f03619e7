/**
 * The snapshot's fused INIT encoder: one text-protocol row packet (its length-coded column values) in, the
 * INIT record's Avro bytes out, written straight into an AvroWriter — no per-column Buffer, string or DtsValue
 * where the value's Avro form can be copied or computed from the bytes (integers, decimals, strings and
 * binaries, temporal text, ENUM indexes, ASCII JSON, NULL). Every other column (BIT, SET, geometry,
 * non-ASCII JSON, anything unusual) goes through the table's own ColumnCodec, so its bytes cannot differ.
 *
 * The reference is the object path: mapper.snapshotImage + buildRowRecord('INIT') + encodeRecordView, and
 * imageText for key columns. test/unit/format/snapshot-row-encoder.test.ts and
 * test/integration/format/snapshot-row-encoder.test.ts hold the two byte for byte equal.
 *
 * Constants of each column's union member (precision, scale, charset, BLOB/BINARY…) are taken from the
 * codec itself (from its value for a sample input), so the mapping rules live in column-codec.ts only.
 */
import { AvroWriter } from './avro-writer.js';
import type { ColumnCodec } from './column-codec.js';
import { writeImageValue, writeRecord } from './encode-record.js';
import { buildRowRecord, type ChangeHeader } from './record.js';
import { imageText } from './render.js';
import type { TableMapper } from './table-mapper.js';
import { digits, micros } from './temporal.js';
import type { DtsValue } from './types.js';

/** What every INIT record of one snapshot task shares (the id is per row). */
export type SnapshotHeader = Omit<ChangeHeader, 'id'>;

/** The constant bytes of a task's INIT records around the row's id and values. */
export interface InitFrame {
  /** from sourceTimestamp up to and including the afterImages array's item count */
  readonly head: Buffer;
  /** the afterImages array's end and bornTimestamp */
  readonly tail: Buffer;
}

/** Writes one non-NULL column value (the bytes row[start, end)) as its image union member. */
type ValueWriter = (w: AvroWriter, row: Buffer, start: number, end: number) => void;
/** The DTS image text of one non-NULL key column value. */
type KeyTextOf = (row: Buffer, start: number, end: number) => string | null;

const NULL_MARK = 0xfb;

function avroBytes(write: (w: AvroWriter) => void): Buffer {
  const w = new AvroWriter(64);
  write(w);
  return w.toBuffer();
}

function isAscii(row: Buffer, start: number, end: number): boolean {
  let acc = 0;
  for (let i = start; i < end; i++) acc |= row[i] as number;
  return acc < 0x80;
}

function fallbackWriter(codec: ColumnCodec): ValueWriter {
  return (w, row, start, end) => writeImageValue(w, codec.fromSnapshot(row.subarray(start, end)));
}

/**
 * Text the reference decodes as latin1 and the writer re-encodes as UTF-8: the same bytes when ASCII (what
 * the server prints for numbers and JSON), otherwise the codec decides.
 */
function asciiTextWriter(head: Buffer, tail: Buffer | null, fallback: ValueWriter): ValueWriter {
  return (w, row, start, end) => {
    if (!isAscii(row, start, end)) return fallback(w, row, start, end);
    w.rawRange(head, 0, head.length);
    w.bytesRange(row, start, end);
    if (tail) w.rawRange(tail, 0, tail.length);
  };
}

function nullableInt(w: AvroWriter, v: number): void {
  w.long(1);
  w.long(v);
}

/** DateTime's union index followed by three null date fields (TIME) or the given fields. */
const DATETIME_BRANCH = 6;

function temporalWriter(dataType: string, fallback: ValueWriter): ValueWriter | null {
  switch (dataType) {
    case 'date':
      // dateFromText reads fixed offsets of 'YYYY-MM-DD'
      return (w, row, s, e) => {
        if (e - s !== 10) return fallback(w, row, s, e);
        w.long(DATETIME_BRANCH);
        nullableInt(w, digits(row, s, s + 4));
        nullableInt(w, digits(row, s + 5, s + 7));
        nullableInt(w, digits(row, s + 8, s + 10));
        w.long(0);
        w.long(0);
        w.long(0);
        w.long(0);
      };
    case 'datetime':
      // dateTimeFromText: 'YYYY-MM-DD HH:MM:SS[.ffffff]'
      return (w, row, s, e) => {
        if (e - s < 19) return fallback(w, row, s, e);
        w.long(DATETIME_BRANCH);
        nullableInt(w, digits(row, s, s + 4));
        nullableInt(w, digits(row, s + 5, s + 7));
        nullableInt(w, digits(row, s + 8, s + 10));
        nullableInt(w, digits(row, s + 11, s + 13));
        nullableInt(w, digits(row, s + 14, s + 16));
        nullableInt(w, digits(row, s + 17, s + 19));
        nullableInt(w, e - s > 20 ? micros(row, s + 20, e) : 0);
      };
    case 'time':
      // timeFromText: '[-]H…H:MM:SS[.ffffff]', the sign on every part, -0 written as 0
      return (w, row, s, e) => {
        const neg = row[s] === 45;
        let i = neg ? s + 1 : s;
        let colon = i;
        while (colon < e && row[colon] !== 58) colon++;
        if (colon + 6 > e) return fallback(w, row, s, e);
        const h = digits(row, i, colon);
        i = colon + 1;
        const m = digits(row, i, i + 2);
        const sec = digits(row, i + 3, i + 5);
        const us = e > i + 6 ? micros(row, i + 6, e) : 0;
        const sign = neg ? -1 : 1;
        w.long(DATETIME_BRANCH);
        w.long(0);
        w.long(0);
        w.long(0);
        nullableInt(w, sign * h || 0);
        nullableInt(w, sign * m || 0);
        nullableInt(w, sign * sec || 0);
        nullableInt(w, sign * us || 0);
      };
    case 'year':
      return (w, row, s, e) => {
        w.long(DATETIME_BRANCH);
        nullableInt(w, digits(row, s, e));
        for (let k = 0; k < 6; k++) w.long(0);
      };
    default:
      return null;
  }
}

/** The text of UNIX_TIMESTAMP(col) (timestampFromEpochText): seconds[.ffffff] → Timestamp{seconds, micros}. */
const TIMESTAMP_BRANCH = 5;
const epochTimestampWriter: ValueWriter = (w, row, s, e) => {
  let dot = s;
  while (dot < e && row[dot] !== 46) dot++;
  w.long(TIMESTAMP_BRANCH);
  w.long(digits(row, s, dot));
  w.long(dot < e ? micros(row, dot + 1, e) : 0);
};

/** The codec's value for a sample input: tells which union member (and its constants) the column maps to. */
function sampleValue(codec: ColumnCodec): DtsValue | undefined {
  // a TIME text must hold its ':' (timeFromText scans for it); '0' is a valid text of every other type
  const text = codec.meta.dataType.toLowerCase() === 'time' ? '00:00:00' : '0';
  try {
    return codec.fromSnapshot(Buffer.from(text, 'latin1'));
  } catch {
    return undefined;
  }
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);

/** The column's fused writer, or null when its values always go through the codec. */
function fusedValueWriter(codec: ColumnCodec, fallback: ValueWriter): ValueWriter | null {
  const dataType = codec.meta.dataType.toLowerCase();
  const sample = sampleValue(codec);
  if (!sample) return null;
  switch (sample.kind) {
    case 'Integer':
      // BIT is an Integer too, but from raw bytes: the codec renders it
      if (!INTEGER_TYPES.has(dataType)) return null;
      return asciiTextWriter(avroBytes((w) => (w.long(1), w.long(sample.precision))), null, fallback);
    case 'Decimal':
      return asciiTextWriter(
        avroBytes((w) => w.long(3)),
        avroBytes((w) => (w.long(sample.precision), w.long(sample.scale))),
        fallback,
      );
    case 'Float': {
      const tail = avroBytes((w) => (w.long(sample.precision), w.long(sample.scale)));
      return (w, row, s, e) => {
        w.long(4);
        w.double(Number(row.toString('latin1', s, e)));
        w.rawRange(tail, 0, tail.length);
      };
    }
    case 'Character':
    case 'BinaryObject': {
      // the bytes as they are: Character{charset, bytes} / BinaryObject{type, bytes}
      const head = avroBytes((w) => writeImageValue(w, { ...sample, value: new Uint8Array(0) }));
      // writeImageValue ended with the empty value's length (one 0 byte): drop it, the row's bytes follow
      const prefix = head.subarray(0, head.length - 1);
      return (w, row, s, e) => {
        w.rawRange(prefix, 0, prefix.length);
        w.bytesRange(row, s, e);
      };
    }
    case 'Timestamp':
      return dataType === 'timestamp' ? epochTimestampWriter : null;
    case 'DateTime':
      return temporalWriter(dataType, fallback);
    case 'TextObject':
      if (sample.type === 'JSON') return asciiTextWriter(avroBytes((w) => (w.long(11), w.string('JSON'))), null, fallback);
      if (sample.type === 'ENUM' && dataType === 'enum') return enumWriter(codec, fallback);
      return null;
    default:
      return null;
  }
}

/** ENUM selects `col+0`: the 1-based member index as digits. Each member's whole union value is prebuilt. */
function enumWriter(codec: ColumnCodec, fallback: ValueWriter): ValueWriter {
  const members = codec.meta.members ?? [];
  const encoded: Buffer[] = [];
  for (let i = 0; i <= members.length; i++) {
    const value = codec.fromSnapshot(Buffer.from(String(i), 'latin1'));
    encoded.push(avroBytes((w) => writeImageValue(w, value)));
  }
  return (w, row, s, e) => {
    if (e - s > 5 || e === s) return fallback(w, row, s, e);
    let index = 0;
    for (let i = s; i < e; i++) {
      const d = (row[i] as number) - 48;
      if (d < 0 || d > 9) return fallback(w, row, s, e);
      index = index * 10 + d;
    }
    const bytes = encoded[index];
    if (!bytes) return fallback(w, row, s, e);
    w.rawRange(bytes, 0, bytes.length);
  };
}

/** Whether the column's image text is the latin1 text of its bytes (imageText of Integer and Decimal values). */
function keyTextIsBytes(codec: ColumnCodec): boolean {
  const kind = sampleValue(codec)?.kind;
  return (kind === 'Integer' && INTEGER_TYPES.has(codec.meta.dataType.toLowerCase())) || kind === 'Decimal';
}

function compileKeyText(codec: ColumnCodec): KeyTextOf {
  if (keyTextIsBytes(codec)) return (row, s, e) => row.toString('latin1', s, e);
  const charset = codec.meta.charset;
  return (row, s, e) => imageText(codec.fromSnapshot(row.subarray(s, e)), charset);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * A table's fused INIT encoder (compile once per table version). Not reentrant: `keyTexts` reads the column
 * bounds of the row `encode` was last called with.
 */
export class SnapshotRowEncoder {
  private readonly writers: ValueWriter[];
  private readonly keyTextOf: KeyTextOf[];
  private readonly keyIsBytes: boolean[];
  /** per column, where its value starts and ends in the last encoded row; start -1 = NULL */
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly columns: number;
  /** the columns whose values always go through their ColumnCodec (the rest are fused) */
  readonly codecColumns: readonly string[];

  constructor(private readonly mapper: TableMapper) {
    const codecs = mapper.codecs;
    this.columns = codecs.length;
    const fused = codecs.map((c) => fusedValueWriter(c, fallbackWriter(c)));
    this.writers = codecs.map((c, i) => fused[i] ?? fallbackWriter(c));
    this.codecColumns = codecs.filter((_, i) => fused[i] === null).map((c) => c.meta.name);
    this.keyTextOf = codecs.map(compileKeyText);
    this.keyIsBytes = codecs.map(keyTextIsBytes);
    this.starts = new Int32Array(this.columns);
    this.ends = new Int32Array(this.columns);
  }

  /**
   * The frame of a task's INIT records, cut from what writeRecord writes for the same header with id 0 and
   * no columns: that record is [version 0][id 0][head][array end][bornTimestamp].
   */
  frame(header: SnapshotHeader): InitFrame {
    const full = avroBytes((w) => writeRecord(w, buildRowRecord(this.mapper, 'INIT', { ...header, id: 0 }, null, []), this.mapper.fieldsBytes));
    const born = avroBytes((w) => w.long(header.sourceTimestamp));
    const tailStart = full.length - born.length - 1;
    if (full[0] !== 0 || full[1] !== 0 || full[tailStart] !== 0) throw new Error('INIT record layout is not [version][id][head][0][bornTimestamp]');
    const count = this.columns > 0 ? avroBytes((w) => w.long(this.columns)) : Buffer.alloc(0);
    return { head: Buffer.concat([full.subarray(2, tailStart), count]), tail: Buffer.from(full.subarray(tailStart)) };
  }

  /**
   * Writes the INIT record of the row whose column values are the length-coded strings in row[start, end)
   * (a text-protocol result row, without its packet header) and returns a view of the writer's bytes, valid
   * until the writer is used again.
   */
  encode(w: AvroWriter, frame: InitFrame, id: number, row: Buffer, start: number, end: number): Buffer {
    w.reset();
    w.long(0);
    w.long(id);
    w.raw(frame.head);
    const writers = this.writers;
    const starts = this.starts;
    const ends = this.ends;
    let p = start;
    let i = 0;
    for (; i < this.columns; i++) {
      // a row shorter than its columns stops here and is refused below
      if (p >= end) break;
      const first = row[p] as number;
      let len: number;
      if (first < 0xfb) {
        len = first;
        p += 1;
      } else if (first === NULL_MARK) {
        w.long(0);
        starts[i] = -1;
        p += 1;
        continue;
      } else if (first === 0xfc) {
        len = (row[p + 1] as number) | ((row[p + 2] as number) << 8);
        p += 3;
      } else if (first === 0xfd) {
        len = (row[p + 1] as number) | ((row[p + 2] as number) << 8) | ((row[p + 3] as number) << 16);
        p += 4;
      } else {
        if (p + 9 > end) break;
        len = row.readUInt32LE(p + 1) + row.readUInt32LE(p + 5) * 2 ** 32;
        p += 9;
      }
      const valueEnd = p + len;
      if (valueEnd > end) break;
      starts[i] = p;
      ends[i] = valueEnd;
      (writers[i] as ValueWriter)(w, row, p, valueEnd);
      p = valueEnd;
    }
    if (i !== this.columns || p !== end) throw new Error(`a snapshot row of ${this.mapper.objectName} does not hold its ${this.columns} columns (${end - start} bytes, columns end at ${p - start})`);
    w.rawRange(frame.tail, 0, frame.tail.length);
    return w.view();
  }

  /**
   * The key string of the last encoded row (renderKeyString of the image texts at `ordinals`) as UTF-8 bytes
   * into `out`, when it can be copied from the row: every key column an integer or decimal whose text is
   * printable ASCII JSON needs no escape for. Returns the byte length, or -1 when the caller must build the key
   * from keyTexts (or `out` is too small).
   */
  writeKeyJson(row: Buffer, ordinals: readonly number[], out: Uint8Array): number {
    const cap = out.length;
    let n = 0;
    if (cap < 2) return -1;
    out[n++] = 0x5b; // [
    for (let k = 0; k < ordinals.length; k++) {
      const o = ordinals[k] as number;
      if (!this.keyIsBytes[o]) return -1;
      if (k > 0) {
        if (n >= cap) return -1;
        out[n++] = 0x2c; // ,
      }
      const s = this.starts[o] as number;
      if (s < 0) {
        if (n + 4 > cap) return -1;
        out[n++] = 0x6e; // null
        out[n++] = 0x75;
        out[n++] = 0x6c;
        out[n++] = 0x6c;
        continue;
      }
      const e = this.ends[o] as number;
      if (n + (e - s) + 2 > cap) return -1;
      out[n++] = QUOTE;
      for (let i = s; i < e; i++) {
        const c = row[i] as number;
        if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) return -1;
        out[n++] = c;
      }
      out[n++] = QUOTE;
    }
    if (n >= cap) return -1;
    out[n++] = 0x5d; // ]
    return n;
  }

  /** The DTS image texts of the columns at `ordinals` of the last encoded row, into `out` at those ordinals. */
  keyTexts(row: Buffer, ordinals: readonly number[], out: (string | null)[]): void {
    for (let k = 0; k < ordinals.length; k++) {
      const o = ordinals[k] as number;
      const s = this.starts[o] as number;
      out[o] = s < 0 ? null : (this.keyTextOf[o] as KeyTextOf)(row, s, this.ends[o] as number);
    }
  }
}
