/**
 * The DTS record as plain data. Image values are tagged by `kind` (the union branch name of the published
 * schema), so the writer picks the branch with one switch and no schema lookup.
 */
import type { OPERATIONS, SOURCE_TYPES } from './schema.js';

export type DtsOperation = (typeof OPERATIONS)[number];
export type DtsSourceType = (typeof SOURCE_TYPES)[number];

export interface DtsInteger {
  readonly kind: 'Integer';
  /** byte width of the MySQL type (TINYINT 1 … BIGINT 8; BIT(n) ceil(n/8)) */
  readonly precision: number;
  /** decimal text, exact (unsigned BIGINT included) */
  readonly value: string;
}
export interface DtsCharacter {
  readonly kind: 'Character';
  /** MySQL charset name: utf8mb4, latin1, gbk … */
  readonly charset: string;
  /** the original bytes in that charset */
  readonly value: Uint8Array;
}
export interface DtsDecimal {
  readonly kind: 'Decimal';
  readonly value: string;
  readonly precision: number;
  readonly scale: number;
}
export interface DtsFloat {
  readonly kind: 'Float';
  /** FLOAT: the exact float32 value widened to double */
  readonly value: number;
  readonly precision: number;
  readonly scale: number;
}
export interface DtsTimestamp {
  readonly kind: 'Timestamp';
  /** epoch seconds */
  readonly timestamp: number;
  /** the MICROseconds (DTS names the field millis; its SDK multiplies by 1000 to get nanos) */
  readonly millis: number;
}
export interface DtsDateTimeFields {
  readonly year: number | null;
  readonly month: number | null;
  readonly day: number | null;
  readonly hour: number | null;
  readonly minute: number | null;
  readonly second: number | null;
  /** microseconds, as DTS fills it */
  readonly millis: number | null;
}
export interface DtsDateTime extends DtsDateTimeFields {
  readonly kind: 'DateTime';
}
export interface DtsTimestampWithTimeZone {
  readonly kind: 'TimestampWithTimeZone';
  readonly value: DtsDateTimeFields;
  readonly timezone: string;
}
export interface DtsBinaryGeometry {
  readonly kind: 'BinaryGeometry';
  readonly type: string;
  /** WKB, without MySQL's 4-byte SRID prefix */
  readonly value: Uint8Array;
}
export interface DtsTextGeometry {
  readonly kind: 'TextGeometry';
  readonly type: string;
  readonly value: string;
}
export interface DtsBinaryObject {
  readonly kind: 'BinaryObject';
  /** 'BINARY' (BINARY/VARBINARY) or 'BLOB': the DTS SDK's ObjectType.valueOf accepts only its own names */
  readonly type: string;
  readonly value: Uint8Array;
}
export interface DtsTextObject {
  readonly kind: 'TextObject';
  /** 'JSON', 'ENUM', 'SET' */
  readonly type: string;
  readonly value: string;
}
export interface DtsEmptyObject {
  readonly kind: 'EmptyObject';
  readonly value: 'NULL' | 'NONE';
}

export type DtsValue =
  | null
  | DtsInteger
  | DtsCharacter
  | DtsDecimal
  | DtsFloat
  | DtsTimestamp
  | DtsDateTime
  | DtsTimestampWithTimeZone
  | DtsBinaryGeometry
  | DtsTextGeometry
  | DtsBinaryObject
  | DtsTextObject
  | DtsEmptyObject;

export interface DtsField {
  readonly name: string;
  readonly dataTypeNumber: number;
}

export interface DtsSource {
  readonly sourceType: DtsSourceType;
  readonly version: string;
}

/** One DTS record, field for field as the published `Record` schema orders them. */
export interface DtsRecord {
  readonly version: number;
  readonly id: number;
  readonly sourceTimestamp: number;
  readonly sourcePosition: string;
  readonly safeSourcePosition: string;
  readonly sourceTxid: string;
  readonly source: DtsSource;
  readonly operation: DtsOperation;
  readonly objectName: string | null;
  readonly processTimestamps: readonly number[] | null;
  /** written in insertion order (pk_uk_info first) */
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: readonly DtsField[] | string | null;
  readonly beforeImages: readonly DtsValue[] | string | null;
  readonly afterImages: readonly DtsValue[] | string | null;
  readonly bornTimestamp: number;
}
