/** DTS Avro format: schema, type mapping, record building, encoding and decoding. */
export type {
  DtsBinaryGeometry,
  DtsBinaryObject,
  DtsCharacter,
  DtsDateTime,
  DtsDateTimeFields,
  DtsDecimal,
  DtsEmptyObject,
  DtsField,
  DtsFloat,
  DtsInteger,
  DtsOperation,
  DtsRecord,
  DtsSource,
  DtsSourceType,
  DtsTextGeometry,
  DtsTextObject,
  DtsTimestamp,
  DtsTimestampWithTimeZone,
  DtsValue,
} from './types.js';
export { DTS_SCHEMA_JSON, DTS_NAMESPACE, dtsRecordType, OPERATIONS, SOURCE_TYPES } from './schema.js';
export { AvroWriter } from './avro-writer.js';
export { encodeRecord, encodeRecordView, encodeFields, writeRecord, writeImageValue } from './encode-record.js';
export { compileColumnCodec, dtsCharsetName, dtsDataTypeNumber, DEFAULT_FORMAT_OPTIONS, type ColumnCodec, type FormatOptions } from './column-codec.js';
export {
  compileTableMapper,
  snapshotSelectList,
  pkUkInfo,
  type TableMapper,
  type SnapshotRow,
  type BinlogRow,
} from './table-mapper.js';
export { buildRowRecord, buildDdlRecord, buildHeartbeatRecord, dtsPosition, type ChangeHeader, type RowOperation } from './record.js';
export { pointPlace, recordHeader, type MutableHeader, type RecordPlace, type RecordSource } from './record-header.js';
export { SNAPSHOT_CONNECTION_OPTIONS, SNAPSHOT_SESSION_SQL } from './snapshot-session.js';
export { SnapshotRowEncoder, type InitFrame, type SnapshotHeader } from './snapshot-row-encoder.js';
export { jsonbToText } from './jsonb-text.js';
export { formatMysqlDouble, formatMysqlJsonDouble } from './mysql-double.js';
export {
  decodeRecord,
  decodeRecordRaw,
  parseRecord,
  type DecodeOptions,
  type DecodedRecord,
  type RenderedRow,
  type RawJson,
} from './decode.js';
export { imageText, renderValue, decodeCharset, type RenderOptions } from './render.js';
export { recordToAvsc, recordFromAvsc, type AvscValue, type AvscObject } from './avsc-form.js';
