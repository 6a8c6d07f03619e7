/**
 * Avro bytes of a DTS record back to something a person (or `sluice tail`) reads. Decoding goes through avsc
 * with the published schema, independently of sluice's hand-written writer.
 */
import type avro from 'avsc';
import { recordFromAvsc, type AvscObject, type AvscValue } from './avsc-form.js';
import { renderValue, type RenderOptions } from './render.js';
import { dtsRecordType } from './schema.js';
import type { DtsField, DtsRecord, DtsValue } from './types.js';

export interface DecodeOptions {
  readonly binary?: 'hex' | 'base64';
  readonly timestamp?: 'utc' | 'epoch';
  readonly bit?: 'number' | 'bits';
  /** fractional-second digits per column name, when the reader knows the table (else fractions are trimmed) */
  readonly fsp?: Readonly<Record<string, number>>;
}

export type RenderedRow = Record<string, string | null>;

/** A decoded record as JSON-able data: header, tags, fields and the images rendered as MySQL prints values. */
export interface DecodedRecord {
  readonly id: number;
  readonly version: number;
  readonly operation: string;
  readonly objectName: string | null;
  readonly sourceTimestamp: number;
  readonly bornTimestamp: number;
  readonly sourcePosition: string;
  readonly safeSourcePosition: string;
  readonly sourceTxid: string;
  readonly source: { readonly sourceType: string; readonly version: string };
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: readonly DtsField[] | null;
  readonly before: RenderedRow | null;
  readonly after: RenderedRow | null;
  /** DDL records: the statement text (DTS puts it in afterImages) */
  readonly ddl?: string;
}

let cachedType: avro.Type | undefined;
function recordType(): avro.Type {
  cachedType ??= dtsRecordType();
  return cachedType;
}

/** Parses Avro bytes into a DtsRecord (the same shape the builder produces). */
export function parseRecord(buf: Buffer): DtsRecord {
  return recordFromAvsc(recordType().fromBuffer(buf) as AvscObject);
}

function renderImages(
  images: readonly DtsValue[] | string | null,
  fields: readonly DtsField[] | null,
  opts: DecodeOptions,
): RenderedRow | null {
  if (images === null || typeof images === 'string') return null;
  const row: RenderedRow = {};
  images.forEach((v, i) => {
    const f = fields?.[i];
    const name = f?.name ?? String(i);
    const ro: RenderOptions = {
      binary: opts.binary,
      timestamp: opts.timestamp,
      bit: opts.bit,
      fsp: opts.fsp?.[name],
      dataTypeNumber: f?.dataTypeNumber,
    };
    row[name] = renderValue(v, ro);
  });
  return row;
}

export function decodeRecord(buf: Buffer, opts: DecodeOptions = {}): DecodedRecord {
  const r = parseRecord(buf);
  const fields = Array.isArray(r.fields) ? (r.fields as readonly DtsField[]) : null;
  const out: DecodedRecord = {
    id: r.id,
    version: r.version,
    operation: r.operation,
    objectName: r.objectName,
    sourceTimestamp: r.sourceTimestamp,
    bornTimestamp: r.bornTimestamp,
    sourcePosition: r.sourcePosition,
    safeSourcePosition: r.safeSourcePosition,
    sourceTxid: r.sourceTxid,
    source: r.source,
    tags: r.tags,
    fields,
    before: renderImages(r.beforeImages, fields, opts),
    after: renderImages(r.afterImages, fields, opts),
  };
  return typeof r.afterImages === 'string' ? { ...out, ddl: r.afterImages } : out;
}

/** JSON-able form of what avsc decodes: unions wrapped as `{branch: value}`, bytes as hex or base64. */
export type RawJson = null | string | number | boolean | RawJson[] | { [k: string]: RawJson };

function toRawJson(v: AvscValue, binary: 'hex' | 'base64'): RawJson {
  if (v === null || typeof v !== 'object') return v;
  if (Buffer.isBuffer(v)) return v.toString(binary);
  if (Array.isArray(v)) return v.map((x) => toRawJson(x, binary));
  const o: { [k: string]: RawJson } = {};
  for (const k of Object.keys(v)) o[k] = toRawJson(v[k] as AvscValue, binary);
  return o;
}

/** The undecoded union form for `sluice tail --raw`. */
export function decodeRecordRaw(buf: Buffer, opts: { binary?: 'hex' | 'base64' } = {}): RawJson {
  return toRawJson(recordType().fromBuffer(buf) as AvscValue, opts.binary ?? 'hex');
}
