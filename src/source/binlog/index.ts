/**
 * source/binlog's one face (DESIGN §6: a folder is entered through its index): what the stages above read of
 * the binlog. Everything else in this folder is its inside and may change without them noticing; the import-graph
 * test (test/unit/structure/import-graph.test.ts) fails on an import of one of its other files from outside
 * source/.
 */

// The reader: a replica connection that yields framed events, and where a stream starts.
export { BinlogReader, type BinlogReaderOptions } from './reader.js';
export { TransientSourceError } from './reader-errors.js';
export { captureBinlogPosition, type BinlogPosition } from './capture-position.js';
export { GtidTracker } from './gtid-tracker.js';

// Framed events, as the reader hands them on.
export type { FrameKind, FramedEvent } from './framer.js';
export { EVENT, isRowsBytes, type RawQuery, type RawRowImage, type RawRowsBytes, type RawRowsEvent } from './binlog-event.js';

// Rows decoding: a rows event's body into row images (zongji's walk, and sluice's compiled reader).
export { decodeRowsBody, plainTableMapEntry, type LiveTableMapEntry, type PlainTableMapEntry } from './rows-decode.js';
export { compileRowsReader, type RowsReader } from './rows-reader.js';
export { ROWS_EVENT_TYPES } from './rows-layout.js';

// Table structure as the stream states it: DDL statements and TABLE_MAP metadata.
export { parseDdl, tablesNamedBy, type DdlStatement, type DdlTableName } from './ddl-tables.js';
export { sameTableMapShape, structureFromTableMap, tableMapShape, type CollationTable, type TableMapMetadata, type TableMapShape } from './table-map-columns.js';
export { mergeTableMap, sameStructure } from './table-structure.js';
