import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Partitioning } from '../../config/index.js';
import { buildDdlRecord, dtsPosition, encodeRecord, type ChangeHeader } from '../../format/dts-avro/index.js';
import { EncodedBatchBuilder, type EncodedBatch } from '../../model/encoded-batch.js';
import { quoteIdent } from '../../model/table.js';
import { routeDdl } from '../../transform/index.js';
import type { BinlogPosition } from '../../source/binlog/index.js';
import type { SyncedTable } from './source-model.js';

/**
 * Schema init (结构初始化): one DDL record per table holding its `SHOW CREATE TABLE`, routed as DESIGN §4
 * routes DDL. Ids 1..n are reserved for these records, below every snapshot chunk's range.
 */
export async function schemaInitBatches(
  conn: Connection,
  tables: readonly SyncedTable[],
  opts: { partitioning: Partitioning; partitions: ReadonlyMap<string, number>; position: BinlogPosition; serverVersion: string; serverId: number; time: number },
): Promise<EncodedBatch[]> {
  const batches: EncodedBatch[] = [];
  const position = dtsPosition(opts.position.file, opts.position.pos);
  let id = 1;
  for (const t of tables) {
    const [rows] = await conn.query<RowDataPacket[]>(`SHOW CREATE TABLE ${quoteIdent(t.schema.db)}.${quoteIdent(t.schema.table)}`);
    const ddl = String(rows[0]?.['Create Table'] ?? '');
    const header: ChangeHeader = { id, sourceTimestamp: opts.time, sourcePosition: position, safeSourcePosition: position, sourceTxid: '0', serverVersion: opts.serverVersion, threadId: 0, serverId: opts.serverId, readerThroughoutTime: Date.now() };
    const value = encodeRecord(buildDdlRecord(t.schema.db, ddl, header));
    const route = routeDdl(opts.partitioning, opts.partitions.get(t.object.topic) ?? 1, t.schema.db, t.schema.table);
    const b = new EncodedBatchBuilder(value.length + 64, 1);
    b.add(route.key === null ? null : Buffer.from(route.key, 'utf8'), value, opts.time * 1000);
    batches.push({ topic: t.object.topic, partition: route.partition, firstSeq: id, lastSeq: id, ...b.take(), endPosition: { kind: 'snapshot', chunk: `schema:${t.schema.db}.${t.schema.table}`, chunkDone: true } });
    id++;
  }
  return batches;
}
