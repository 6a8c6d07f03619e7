/**
 * Pins every @vlasky/zongji internal that src/source/binlog/zongji-internals.ts reaches (the model is
 * test/unit/sink/kafkajs-internals.test.ts): an upgrade that moves one must fail here, naming the version sluice
 * needs, not in production. Behaviour where it can be driven without a server; the emission orders, which need one,
 * as the source text that makes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ZongJi from '@vlasky/zongji';
import {
  beforeDump,
  decodeZongjiRows,
  filterTableMaps,
  gateBinlogPackets,
  installTableMapCorrections,
  newZongjiParser,
  onTableMap,
  parserAtEnd,
  parserOffset,
  readZongjiRowImage,
  tableMapCharsetIds,
  tableMapEnumSetValues,
  ZONGJI_NEEDED,
} from '../../../src/source/binlog/zongji-internals.js';
import '../../../src/source/binlog/zongji-table-map.js';

const index = fileURLToPath(import.meta.resolve('@vlasky/zongji'));
const lib = new URL('./lib/', import.meta.resolve('@vlasky/zongji'));
const source = (file: string): string => readFileSync(fileURLToPath(new URL(file, lib)), 'utf8');
const needs = (what: string): string => `${what}: sluice needs ${ZONGJI_NEEDED}`;

test('the installed zongji is the version the fence is written against', () => {
  const installed = JSON.parse(readFileSync(new URL('./package.json', `file://${index}`), 'utf8')) as { version: string };
  const wanted = (JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> }).dependencies['@vlasky/zongji'];
  assert.equal(wanted, '^0.9.0', needs('package.json no longer pins @vlasky/zongji ^0.9.0 (re-check every internal below, then this line)'));
  assert.match(installed.version, /^0\.9\./, needs(`@vlasky/zongji ${installed.version} is installed`));
});

test("lib/reader.js's Parser: append, the parse methods, and _offset/_packetEnd/_buffer", () => {
  const body = Buffer.from([0x2a, 0x00, 0xfc, 0x01, 0x02, 0x07, 0x08, 0xee, 0xee]);
  const p = newZongjiParser(body, 2);
  assert.equal(parserOffset(p), 0, needs('Parser#_offset'));
  assert.equal(p._packetEnd, body.length - 2, needs('Parser#_packetEnd (trimmed by the trailer)'));
  assert.equal(p._buffer, body, needs('Parser#_buffer'));
  assert.equal(p.parseUnsignedNumber(2), 42, needs('Parser#parseUnsignedNumber'));
  assert.equal(p.parseLengthCodedNumber(), 0x0201, needs('Parser#parseLengthCodedNumber'));
  assert.equal(parserAtEnd(p), false);
  assert.deepEqual([...p.parseBuffer(2)], [7, 8], needs('Parser#parseBuffer'));
  assert.equal(parserAtEnd(p), true, needs('Parser#_offset at _packetEnd once read'));
});

/** A cached table map entry of (id INT, s VARBINARY) as zongji keeps it. */
const ENTRY = {
  parentSchema: 'db',
  tableName: 't',
  columns: [
    { name: 'id', charset: null, type: 3, metadata: {} },
    { name: 's', charset: null, type: 15, metadata: { max_length: 10 } },
  ],
  columnSchemas: [
    { COLUMN_NAME: 'id', COLLATION_NAME: null, CHARACTER_SET_NAME: null, COLUMN_COMMENT: '', COLUMN_TYPE: 'int' },
    { COLUMN_NAME: 's', COLLATION_NAME: null, CHARACTER_SET_NAME: null, COLUMN_COMMENT: '', COLUMN_TYPE: 'varbinary(10)' },
  ],
};
/** one row image of ENTRY: no NULLs, id 42, s 'ab' */
const IMAGE = Buffer.from([0x00, 0x2a, 0, 0, 0, 0x02, 0x61, 0x62]);
/** a WRITE_ROWS_EVENT (v2) body of ENTRY as table 7 with IMAGE twice */
const WRITE_BODY = Buffer.concat([Buffer.from([7, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0x03]), IMAGE, IMAGE]);

test("lib/rows_event.js's classes decode a rows body with the instance sluice hands them", () => {
  const rows = decodeZongjiRows('write', WRITE_BODY, 30, ENTRY);
  assert.deepEqual(
    rows.map((r) => ({ ...(r as Record<string, unknown>), s: String((r as { s: Buffer }).s) })),
    [
      { id: 42, s: 'ab' },
      { id: 42, s: 'ab' },
    ],
    needs('WriteRows(parser, options, zongji) reading zongji.tableMap/useChecksum/connection.config'),
  );
  const update = Buffer.concat([Buffer.from([7, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0x03, 0x03]), IMAGE, IMAGE]);
  assert.equal(decodeZongjiRows('update', update, 31, ENTRY).length, 1, needs('UpdateRows'));
  assert.equal(decodeZongjiRows('delete', WRITE_BODY, 32, ENTRY).length, 2, needs('DeleteRows'));
  // a value zongji cannot read reaches the instance's emit('error'), which the fence turns into a throw
  const unknownType = { ...ENTRY, columns: [{ name: 'id', charset: null, type: 3, metadata: {} }, { name: 's', charset: null, type: 99, metadata: {} }] };
  assert.throws(() => decodeZongjiRows('write', WRITE_BODY, 30, unknownType), needs("zongji's rows reader reports unreadable values through zongji.emit"));
});

test("WriteRows' _fetchOneRow reads one image on a context shaped like its event", () => {
  const p = newZongjiParser(IMAGE);
  const row = readZongjiRowImage(p, { tableMap: { 7: ENTRY } }, 7, Buffer.from([0x03]));
  assert.equal(row.id, 42, needs('WriteRows.prototype._fetchOneRow'));
  assert.equal(String(row.s), 'ab');
  assert.equal(parserAtEnd(p), true);
});

/** MariaDB 10.11's TABLE_MAP for (id INT, g GEOMETRY, s VARCHAR utf8mb4, t TEXT latin1, p POINT, u VARCHAR utf8mb4) (as in zongji-table-map.test.ts). */
const MARIADB_TABLE_MAP = Buffer.from(
  '150000000000010008' + Buffer.from('geoprobe').toString('hex') + '0002' + Buffer.from('t3').toString('hex') +
    '0006' + '03ff0ffcff0f' + '07' + '04280002041400' + '3e' + '010100' + '03053f2d083f2d' + '07020001' +
    '040d' + '026964' + '0167' + '0173' + '0174' + '0170' + '0175',
  'hex',
);

test("TableMap: _readOptionalMetadata is wrapped once, and _columnCharsetIds/_enumSetValues are where the fence reads them", async () => {
  const { TableMap } = (await import(new URL('binlog_event.js', lib).href)) as { TableMap: new (parser: unknown, options: unknown, zongji: unknown) => object };
  const ev = new TableMap(newZongjiParser(MARIADB_TABLE_MAP), { timestamp: 0, nextPosition: 0, size: MARIADB_TABLE_MAP.length }, { tableMap: {}, _skipSchema: () => false, isMariaDb: true, useChecksum: false });
  assert.deepEqual([...(tableMapCharsetIds(ev) ?? [])], [undefined, undefined, 45, 8, undefined, 45], needs('TableMap#_columnCharsetIds (and the MariaDB correction on it)'));
  // installing again is a no-op (the correction would otherwise wrap itself)
  installTableMapCorrections({ withoutOptionalMetadata: () => assert.fail('a second install must not wrap'), correctCharsetIds: () => assert.fail('a second install must not wrap') });
  new TableMap(newZongjiParser(MARIADB_TABLE_MAP), { timestamp: 0, nextPosition: 0, size: MARIADB_TABLE_MAP.length }, { tableMap: {}, _skipSchema: () => false, isMariaDb: true, useChecksum: false });
  const events = source('binlog_event.js');
  assert.match(events, /_readOptionalMetadata\(parser, zongji\) \{/, needs('TableMap.prototype._readOptionalMetadata(parser, zongji)'));
  assert.match(events, /this\._readOptionalMetadata\(parser, zongji\);/, needs('TableMap calls this._readOptionalMetadata(parser, zongji)'));
  assert.match(events, /this\._enumSetValues = /, needs('TableMap#_enumSetValues'));
  assert.equal(tableMapEnumSetValues({ _enumSetValues: [[Buffer.from('a')]] })?.[0]?.[0]?.[0], 0x61);
});

test('ZongJi#_skipSchema decides which table maps are decoded, and filterTableMaps replaces it on one instance', () => {
  const z = Object.create(ZongJi.prototype as object) as { _skipSchema(db: string, t: string): boolean };
  assert.equal(typeof z._skipSchema, 'function', needs('ZongJi.prototype._skipSchema'));
  filterTableMaps(z, (db, t) => db === 'd' && t === 'keep');
  assert.equal(z._skipSchema('d', 'keep'), false);
  assert.equal(z._skipSchema('d', 'other'), true);
  assert.equal(typeof (ZongJi.prototype as unknown as { _skipSchema: unknown })._skipSchema, 'function', 'the prototype keeps its own');
  assert.match(source('binlog_event.js'), /zongji\._skipSchema\(this\.schemaName, this\.tableName\)/, needs('TableMap asks zongji._skipSchema(schema, table)'));
  assert.throws(() => filterTableMaps({}, () => true), /sluice needs @vlasky\/zongji 0\.9/);
});

test("'ready': BinlogClass is built just before it, and the dump is queued synchronously just after it", () => {
  const src = readFileSync(index, 'utf8');
  const built = src.indexOf('this.BinlogClass = initBinlogClass(this);');
  const ready = src.indexOf("this.emit('ready');");
  const dump = src.indexOf('this.connection.addCommand(new this.BinlogClass(binlogHandler));');
  assert.ok(built > 0 && ready > built && dump > ready, needs('index.js: BinlogClass, then emit ready, then addCommand(new BinlogClass)'));
  assert.doesNotMatch(src.slice(built, dump), /await|\.then\(|setImmediate|setTimeout|process\.nextTick/, needs('nothing asynchronous between ready and the dump'));
  // beforeDump runs its callback from 'ready' with the connection
  const z = Object.assign(new EventEmitter(), { connection: { addCommand: () => undefined } as never });
  let got: unknown = null;
  beforeDump(z, (c) => (got = c));
  z.emit('ready');
  assert.equal(got, z.connection);
});

test("BinlogClass.prototype.binlogData is the dump command's per-packet state, looked up on the prototype", async () => {
  const { default: initBinlogClass } = (await import(new URL('sequence/binlog.js', lib).href)) as { default: (z: object) => { prototype: { binlogData?: unknown } } };
  const Binlog = initBinlogClass({});
  assert.equal(typeof Binlog.prototype.binlogData, 'function', needs('lib/sequence/binlog.js Binlog.prototype.binlogData'));
  const dumpSrc = source('sequence/binlog.js');
  assert.match(dumpSrc, /binlogData\(packet, connection\) \{/, needs('binlogData(packet, connection)'));
  assert.match(dumpSrc, /return Binlog\.prototype\.binlogData;/, needs('the dump returns Binlog.prototype.binlogData as its next state (so a wrapper stays in place)'));
  // gateBinlogPackets wraps it at 'ready': handled packets stay in the wrapper, the rest reach the original
  const seen: string[] = [];
  class Fake {
    binlogData(packet: string): unknown {
      seen.push(packet);
      return 'zongji-next';
    }
  }
  const z = Object.assign(new EventEmitter(), { BinlogClass: Fake as unknown as { prototype: { binlogData?: (this: unknown, p: string, c: null) => unknown } } });
  const failures: Error[] = [];
  const detach = gateBinlogPackets<string, null>(z, (p) => p === 'mine', (e) => failures.push(e));
  z.emit('ready');
  const wrapped = Fake.prototype.binlogData as (this: unknown, p: string, c: null) => unknown;
  assert.equal(wrapped.call(new Fake(), 'mine', null), wrapped);
  assert.equal(wrapped.call(new Fake(), 'theirs', null), 'zongji-next');
  assert.deepEqual(seen, ['theirs']);
  detach();
  // without the class, the gate reports it instead of silently missing events
  const bare = new EventEmitter();
  gateBinlogPackets(bare, () => true, (e) => failures.push(e));
  bare.emit('ready');
  assert.match(String(failures[0]?.message), /BinlogClass\.prototype\.binlogData is missing.*sluice needs @vlasky\/zongji 0\.9/);
});

test("a TableMap 'binlog' event is emitted once its entry is cached; the rows classes read the cache when built", () => {
  const src = readFileSync(index, 'utf8');
  const tableMapCase = src.indexOf("case 'TableMap': {");
  assert.ok(tableMapCase > 0, needs("index.js handles case 'TableMap'"));
  const cached = src.indexOf('this.tableMap[event.tableId] = {', tableMapCase);
  const emitted = src.indexOf("this.emit('binlog', attachGtid(event));", tableMapCase);
  assert.ok(cached > tableMapCase && emitted > cached, needs("index.js caches the TableMap entry before emit('binlog')"));
  const rows = source('rows_event.js');
  assert.match(rows, /this\.tableMap = zongji\.tableMap;/, needs('RowsEvent reads zongji.tableMap'));
  assert.match(rows, /this\._zongji = zongji;/, needs('RowsEvent keeps zongji as this._zongji for its row reader'));
  // onTableMap: prepended (runs before listeners added earlier), TableMap events only
  const z = new EventEmitter();
  const order: string[] = [];
  z.on('binlog', () => order.push('other'));
  const detach = onTableMap(z as never, (ev) => order.push(`tablemap ${ev.tableId}`));
  z.emit('binlog', { getTypeName: () => 'TableMap', tableId: 3 });
  z.emit('binlog', { getTypeName: () => 'WriteRows', tableId: 3 });
  detach();
  z.emit('binlog', { getTypeName: () => 'TableMap', tableId: 4 });
  assert.deepEqual(order, ['tablemap 3', 'other', 'other', 'other']);
});
