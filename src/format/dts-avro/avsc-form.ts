/**
 * Conversion between a DtsRecord and the object avsc reads and writes for the published schema with wrapped
 * unions (`{"com.alibaba.dts.formats.avro.Integer": {...}}`). Used by the decoder (avsc decodes, so it
 * checks our hand-written writer independently), by tests, and by the benchmark's avsc ceiling.
 */
import { DTS_NAMESPACE } from './schema.js';
import type {
  DtsDateTimeFields,
  DtsField,
  DtsOperation,
  DtsRecord,
  DtsSourceType,
  DtsValue,
} from './types.js';

/** A value as avsc represents it: JSON-like data plus Buffers. */
export type AvscValue = null | string | number | boolean | Buffer | AvscValue[] | { [k: string]: AvscValue };
export type AvscObject = { [k: string]: AvscValue };

const NS = `${DTS_NAMESPACE}.`;

function wrapInt(v: number | null): AvscValue {
  return v === null ? null : { int: v };
}

function dateTimeFields(v: DtsDateTimeFields): AvscObject {
  return {
    year: wrapInt(v.year),
    month: wrapInt(v.month),
    day: wrapInt(v.day),
    hour: wrapInt(v.hour),
    minute: wrapInt(v.minute),
    second: wrapInt(v.second),
    millis: wrapInt(v.millis),
  };
}

function buf(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

export function imageValueToAvsc(v: DtsValue): AvscValue {
  if (v === null) return null;
  switch (v.kind) {
    case 'Integer':
      return { [NS + 'Integer']: { precision: v.precision, value: v.value } };
    case 'Character':
      return { [NS + 'Character']: { charset: v.charset, value: buf(v.value) } };
    case 'Decimal':
      return { [NS + 'Decimal']: { value: v.value, precision: v.precision, scale: v.scale } };
    case 'Float':
      return { [NS + 'Float']: { value: v.value, precision: v.precision, scale: v.scale } };
    case 'Timestamp':
      return { [NS + 'Timestamp']: { timestamp: v.timestamp, millis: v.millis } };
    case 'DateTime':
      return { [NS + 'DateTime']: dateTimeFields(v) };
    case 'TimestampWithTimeZone':
      return { [NS + 'TimestampWithTimeZone']: { value: dateTimeFields(v.value), timezone: v.timezone } };
    case 'BinaryGeometry':
      return { [NS + 'BinaryGeometry']: { type: v.type, value: buf(v.value) } };
    case 'TextGeometry':
      return { [NS + 'TextGeometry']: { type: v.type, value: v.value } };
    case 'BinaryObject':
      return { [NS + 'BinaryObject']: { type: v.type, value: buf(v.value) } };
    case 'TextObject':
      return { [NS + 'TextObject']: { type: v.type, value: v.value } };
    case 'EmptyObject':
      return { [NS + 'EmptyObject']: v.value };
  }
}

function imagesToAvsc(images: readonly DtsValue[] | string | null): AvscValue {
  if (images === null) return null;
  if (typeof images === 'string') return { string: images };
  return { array: images.map(imageValueToAvsc) };
}

export function recordToAvsc(r: DtsRecord): AvscObject {
  const fields = r.fields;
  return {
    version: r.version,
    id: r.id,
    sourceTimestamp: r.sourceTimestamp,
    sourcePosition: r.sourcePosition,
    safeSourcePosition: r.safeSourcePosition,
    sourceTxid: r.sourceTxid,
    source: { sourceType: r.source.sourceType, version: r.source.version },
    operation: r.operation,
    objectName: r.objectName === null ? null : { string: r.objectName },
    processTimestamps: r.processTimestamps === null ? null : { array: [...r.processTimestamps] },
    tags: { ...r.tags },
    fields:
      fields === null
        ? null
        : typeof fields === 'string'
          ? { string: fields }
          : { array: fields.map((f) => ({ name: f.name, dataTypeNumber: f.dataTypeNumber })) },
    beforeImages: imagesToAvsc(r.beforeImages),
    afterImages: imagesToAvsc(r.afterImages),
    bornTimestamp: r.bornTimestamp,
  };
}

// ---- the other direction: what avsc decoded, back to a DtsRecord ----

function asObj(v: AvscValue | undefined): AvscObject {
  if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v) || Buffer.isBuffer(v)) {
    throw new Error('malformed DTS record: expected a record');
  }
  return v;
}
function num(v: AvscValue | undefined): number {
  if (typeof v !== 'number') throw new Error('malformed DTS record: expected a number');
  return v;
}
function str(v: AvscValue | undefined): string {
  if (typeof v !== 'string') throw new Error('malformed DTS record: expected a string');
  return v;
}
function bytes(v: AvscValue | undefined): Buffer {
  if (!Buffer.isBuffer(v)) throw new Error('malformed DTS record: expected bytes');
  return v;
}
function unwrapInt(v: AvscValue | undefined): number | null {
  return v === null || v === undefined ? null : num(asObj(v).int);
}
/** The single [branchName, value] of a wrapped union value. */
function branch(v: AvscValue | undefined): [string, AvscValue] {
  const o = asObj(v);
  const k = Object.keys(o)[0];
  if (k === undefined) throw new Error('malformed DTS record: empty union');
  return [k.startsWith(NS) ? k.slice(NS.length) : k, o[k] as AvscValue];
}
function dtFromAvsc(o: AvscObject): DtsDateTimeFields {
  return {
    year: unwrapInt(o.year),
    month: unwrapInt(o.month),
    day: unwrapInt(o.day),
    hour: unwrapInt(o.hour),
    minute: unwrapInt(o.minute),
    second: unwrapInt(o.second),
    millis: unwrapInt(o.millis),
  };
}

export function imageValueFromAvsc(v: AvscValue): DtsValue {
  if (v === null) return null;
  const [name, inner] = branch(v);
  if (name === 'EmptyObject') return { kind: 'EmptyObject', value: str(inner) === 'NULL' ? 'NULL' : 'NONE' };
  const o = asObj(inner);
  switch (name) {
    case 'Integer':
      return { kind: 'Integer', precision: num(o.precision), value: str(o.value) };
    case 'Character':
      return { kind: 'Character', charset: str(o.charset), value: bytes(o.value) };
    case 'Decimal':
      return { kind: 'Decimal', value: str(o.value), precision: num(o.precision), scale: num(o.scale) };
    case 'Float':
      return { kind: 'Float', value: num(o.value), precision: num(o.precision), scale: num(o.scale) };
    case 'Timestamp':
      return { kind: 'Timestamp', timestamp: num(o.timestamp), millis: num(o.millis) };
    case 'DateTime':
      return { kind: 'DateTime', ...dtFromAvsc(o) };
    case 'TimestampWithTimeZone':
      return { kind: 'TimestampWithTimeZone', value: dtFromAvsc(asObj(o.value)), timezone: str(o.timezone) };
    case 'BinaryGeometry':
      return { kind: 'BinaryGeometry', type: str(o.type), value: bytes(o.value) };
    case 'TextGeometry':
      return { kind: 'TextGeometry', type: str(o.type), value: str(o.value) };
    case 'BinaryObject':
      return { kind: 'BinaryObject', type: str(o.type), value: bytes(o.value) };
    case 'TextObject':
      return { kind: 'TextObject', type: str(o.type), value: str(o.value) };
    default:
      throw new Error(`malformed DTS record: unknown image branch ${name}`);
  }
}

function imagesFromAvsc(v: AvscValue | undefined): readonly DtsValue[] | string | null {
  if (v === null || v === undefined) return null;
  const [name, inner] = branch(v);
  if (name === 'string') return str(inner);
  if (!Array.isArray(inner)) throw new Error('malformed DTS record: images');
  return inner.map(imageValueFromAvsc);
}

export function recordFromAvsc(o: AvscObject): DtsRecord {
  const src = asObj(o.source);
  let fields: readonly DtsField[] | string | null = null;
  if (o.fields !== null && o.fields !== undefined) {
    const [name, inner] = branch(o.fields);
    if (name === 'string') fields = str(inner);
    else if (Array.isArray(inner))
      fields = inner.map((f) => {
        const fo = asObj(f);
        return { name: str(fo.name), dataTypeNumber: num(fo.dataTypeNumber) };
      });
  }
  const tagsIn = asObj(o.tags);
  const tags: Record<string, string> = {};
  for (const k of Object.keys(tagsIn)) tags[k] = str(tagsIn[k]);
  let pts: number[] | null = null;
  if (o.processTimestamps !== null && o.processTimestamps !== undefined) {
    const [, inner] = branch(o.processTimestamps);
    pts = Array.isArray(inner) ? inner.map(num) : null;
  }
  return {
    version: num(o.version),
    id: num(o.id),
    sourceTimestamp: num(o.sourceTimestamp),
    sourcePosition: str(o.sourcePosition),
    safeSourcePosition: str(o.safeSourcePosition),
    sourceTxid: str(o.sourceTxid),
    source: { sourceType: str(src.sourceType) as DtsSourceType, version: str(src.version) },
    operation: str(o.operation) as DtsOperation,
    objectName: o.objectName === null || o.objectName === undefined ? null : str(branch(o.objectName)[1]),
    processTimestamps: pts,
    tags,
    fields,
    beforeImages: imagesFromAvsc(o.beforeImages),
    afterImages: imagesFromAvsc(o.afterImages),
    bornTimestamp: num(o.bornTimestamp),
  };
}
