/**
 * Encodes a DtsRecord as Avro binary of the published schema, by hand: the field order, union branch indexes
 * and enum indexes below are the schema's (see schema.ts), and the unit tests compare every branch with avsc.
 */
import { AvroWriter } from './avro-writer.js';
import { OPERATIONS, SOURCE_TYPES } from './schema.js';
import type { DtsDateTimeFields, DtsField, DtsRecord, DtsValue } from './types.js';

const OPERATION_INDEX: Readonly<Record<string, number>> = Object.fromEntries(OPERATIONS.map((o, i) => [o, i]));
const SOURCE_TYPE_INDEX: Readonly<Record<string, number>> = Object.fromEntries(SOURCE_TYPES.map((s, i) => [s, i]));

function writeNullableInt(w: AvroWriter, v: number | null): void {
  if (v === null) {
    w.long(0);
  } else {
    w.long(1);
    w.long(v);
  }
}

function writeDateTimeFields(w: AvroWriter, v: DtsDateTimeFields): void {
  writeNullableInt(w, v.year);
  writeNullableInt(w, v.month);
  writeNullableInt(w, v.day);
  writeNullableInt(w, v.hour);
  writeNullableInt(w, v.minute);
  writeNullableInt(w, v.second);
  writeNullableInt(w, v.millis);
}

/** One image value: its union branch index, then the branch's record fields in schema order. */
export function writeImageValue(w: AvroWriter, v: DtsValue): void {
  if (v === null) {
    w.long(0);
    return;
  }
  switch (v.kind) {
    case 'Integer':
      w.long(1);
      w.long(v.precision);
      w.string(v.value);
      return;
    case 'Character':
      w.long(2);
      w.string(v.charset);
      w.bytes(v.value);
      return;
    case 'Decimal':
      w.long(3);
      w.string(v.value);
      w.long(v.precision);
      w.long(v.scale);
      return;
    case 'Float':
      w.long(4);
      w.double(v.value);
      w.long(v.precision);
      w.long(v.scale);
      return;
    case 'Timestamp':
      w.long(5);
      w.long(v.timestamp);
      w.long(v.millis);
      return;
    case 'DateTime':
      w.long(6);
      writeDateTimeFields(w, v);
      return;
    case 'TimestampWithTimeZone':
      w.long(7);
      writeDateTimeFields(w, v.value);
      w.string(v.timezone);
      return;
    case 'BinaryGeometry':
      w.long(8);
      w.string(v.type);
      w.bytes(v.value);
      return;
    case 'TextGeometry':
      w.long(9);
      w.string(v.type);
      w.string(v.value);
      return;
    case 'BinaryObject':
      w.long(10);
      w.string(v.type);
      w.bytes(v.value);
      return;
    case 'TextObject':
      w.long(11);
      w.string(v.type);
      w.string(v.value);
      return;
    case 'EmptyObject':
      w.long(12);
      w.long(v.value === 'NULL' ? 0 : 1);
      return;
  }
}

/** The `fields` union value (branch 2: array of Field). Constant per table version, so callers may cache
 * its bytes with `encodeFields` and pass them as `fieldsBytes`. */
export function writeFields(w: AvroWriter, fields: readonly DtsField[] | string | null): void {
  if (fields === null) {
    w.long(0);
  } else if (typeof fields === 'string') {
    w.long(1);
    w.string(fields);
  } else {
    w.long(2);
    if (fields.length > 0) {
      w.long(fields.length);
      for (const f of fields) {
        w.string(f.name);
        w.long(f.dataTypeNumber);
      }
    }
    w.long(0);
  }
}

/** The bytes `writeFields` produces, to be reused for every record of one table version. */
export function encodeFields(fields: readonly DtsField[] | string | null): Buffer {
  const w = new AvroWriter(256);
  writeFields(w, fields);
  return w.toBuffer();
}

function writeImages(w: AvroWriter, images: readonly DtsValue[] | string | null): void {
  if (images === null) {
    w.long(0);
  } else if (typeof images === 'string') {
    w.long(1);
    w.string(images);
  } else {
    w.long(2);
    const n = images.length;
    if (n > 0) {
      w.long(n);
      for (let i = 0; i < n; i++) writeImageValue(w, images[i] as DtsValue);
    }
    w.long(0);
  }
}

/**
 * Appends one record to `w`. `fieldsBytes`, when given, replaces the encoding of `record.fields` (it must be
 * `encodeFields(record.fields)`; the table mapper keeps it per table version).
 */
export function writeRecord(w: AvroWriter, record: DtsRecord, fieldsBytes?: Uint8Array): void {
  w.long(record.version);
  w.long(record.id);
  w.long(record.sourceTimestamp);
  w.string(record.sourcePosition);
  w.string(record.safeSourcePosition);
  w.string(record.sourceTxid);
  const st = SOURCE_TYPE_INDEX[record.source.sourceType];
  if (st === undefined) throw new Error(`unknown DTS sourceType ${record.source.sourceType}`);
  w.long(st);
  w.string(record.source.version);
  const op = OPERATION_INDEX[record.operation];
  if (op === undefined) throw new Error(`unknown DTS operation ${record.operation}`);
  w.long(op);
  if (record.objectName === null) {
    w.long(0);
  } else {
    w.long(1);
    w.string(record.objectName);
  }
  const pts = record.processTimestamps;
  if (pts === null) {
    w.long(0);
  } else {
    w.long(1);
    if (pts.length > 0) {
      w.long(pts.length);
      for (const t of pts) w.long(t);
    }
    w.long(0);
  }
  const tags = record.tags;
  const keys = Object.keys(tags);
  if (keys.length > 0) {
    w.long(keys.length);
    for (const k of keys) {
      w.string(k);
      w.string(tags[k] as string);
    }
  }
  w.long(0);
  if (fieldsBytes !== undefined) w.raw(fieldsBytes);
  else writeFields(w, record.fields);
  writeImages(w, record.beforeImages);
  writeImages(w, record.afterImages);
  w.long(record.bornTimestamp);
}

/** Encodes one record into a fresh Buffer (the writer's scratch space is reused). */
export function encodeRecord(record: DtsRecord, writer: AvroWriter = new AvroWriter(), fieldsBytes?: Uint8Array): Buffer {
  writer.reset();
  writeRecord(writer, record, fieldsBytes);
  return writer.toBuffer();
}

/**
 * Encodes one record and returns a view of the writer's scratch bytes — valid only until the writer is used
 * again. For callers that copy the bytes straight on (into an EncodedBatch): it saves an allocation and a
 * copy per record.
 */
export function encodeRecordView(record: DtsRecord, writer: AvroWriter, fieldsBytes?: Uint8Array): Buffer {
  writer.reset();
  writeRecord(writer, record, fieldsBytes);
  return writer.view();
}
