/**
 * A JSON column value the binlog carries as a partial update (MySQL binlog_row_value_options=PARTIAL_JSON):
 * the before image's binary JSON and the diff vector that turns it into the after image. The source hands it
 * over as is; the format applies it (format/dts-avro/json-diff.ts), so both stay free of each other.
 */
export interface PartialJsonValue {
  readonly kind: 'partial-json';
  /** the before image's binary JSON document */
  readonly base: Buffer;
  /** the after image's diff vector (sql/json_diff.cc) */
  readonly diff: Buffer;
}

export function isPartialJson(v: unknown): v is PartialJsonValue {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'partial-json';
}
