/**
 * Builds DTS records the way DTS fills them (DESIGN §3): version 0, positions `offset@fileindex`, times in
 * seconds, tags with pk_uk_info first. Pure functions of their inputs.
 */
import { dtsName } from '../../model/table.js';
import type { TableMapper } from './table-mapper.js';
import type { DtsOperation, DtsRecord, DtsValue } from './types.js';

/** Where and when a change happened, as the binlog reader (or the snapshot planner) knows it. */
export interface ChangeHeader {
  /** the record id (increasing along the job's stream, stable on replay) */
  readonly id: number;
  /** the binlog event time, epoch seconds (snapshot rows: the time the chunk was read) */
  readonly sourceTimestamp: number;
  /** `offset@fileindex` of the event's end (see dtsPosition) */
  readonly sourcePosition: string;
  /** `offset@fileindex` of the transaction's start, where a restart may resume */
  readonly safeSourcePosition: string;
  /** GTID or XID; "0" when none */
  readonly sourceTxid: string;
  /** the server's version string (SELECT VERSION()) */
  readonly serverVersion: string;
  readonly threadId: number | string;
  readonly serverId: number | string;
  /**
   * when the reader read the change, epoch milliseconds (DTS readerThroughoutTime: the real record from
   * MySQL 8.0.34 has "1712905965384" next to sourceTimestamp 1712905965 — a time, not a duration)
   */
  readonly readerThroughoutTime: number;
}

/** DTS's position text: the end offset in the binlog file `@` the file's numeric suffix (mysql-bin.000078 → 78). */
export function dtsPosition(binlogFile: string, offset: number): string {
  const m = /(\d+)$/.exec(binlogFile);
  return `${offset}@${m ? Number(m[1]) : 0}`;
}

export type RowOperation = Extract<DtsOperation, 'INIT' | 'INSERT' | 'UPDATE' | 'DELETE'>;

/** A row change: INIT and INSERT carry after, DELETE before, UPDATE both. */
export function buildRowRecord(
  table: TableMapper,
  operation: RowOperation,
  header: ChangeHeader,
  before: readonly DtsValue[] | null,
  after: readonly DtsValue[] | null,
): DtsRecord {
  return {
    version: 0,
    id: header.id,
    sourceTimestamp: header.sourceTimestamp,
    sourcePosition: header.sourcePosition,
    safeSourcePosition: header.safeSourcePosition,
    sourceTxid: header.sourceTxid,
    source: { sourceType: 'MySQL', version: header.serverVersion },
    operation,
    objectName: table.objectName,
    processTimestamps: null,
    tags: {
      pk_uk_info: table.pkUkInfo,
      thread_id: String(header.threadId),
      server_id: String(header.serverId),
      metaVersion: table.metaVersion,
      readerThroughoutTime: String(header.readerThroughoutTime),
      // the real DTS record names the row's database and table in these (plain names, unlike objectName)
      l_db_name: table.schema.db,
      l_tb_name: table.schema.table,
    },
    fields: table.fields,
    beforeImages: before,
    afterImages: after,
    bornTimestamp: header.sourceTimestamp,
  };
}

/** The fields every record takes from its change header (buildRowRecord writes them out: it runs per row). */
function headerPart(header: ChangeHeader): Pick<DtsRecord, 'version' | 'id' | 'sourceTimestamp' | 'sourcePosition' | 'safeSourcePosition' | 'sourceTxid' | 'source'> {
  return {
    version: 0,
    id: header.id,
    sourceTimestamp: header.sourceTimestamp,
    sourcePosition: header.sourcePosition,
    safeSourcePosition: header.safeSourcePosition,
    sourceTxid: header.sourceTxid,
    source: { sourceType: 'MySQL', version: header.serverVersion },
  };
}

/** A DDL statement: objectName is the database alone, afterImages the DDL text, no fields or before image. */
export function buildDdlRecord(db: string, ddl: string, header: ChangeHeader, gtid?: string): DtsRecord {
  const tags: Record<string, string> = {
    thread_id: String(header.threadId),
    server_id: String(header.serverId),
    readerThroughoutTime: String(header.readerThroughoutTime),
  };
  if (gtid !== undefined) tags.GTID = gtid;
  return {
    ...headerPart(header),
    operation: 'DDL',
    objectName: dtsName(db),
    processTimestamps: null,
    tags,
    fields: null,
    beforeImages: null,
    afterImages: ddl,
    bornTimestamp: header.sourceTimestamp,
  };
}

/**
 * A HEARTBEAT record (written only where the job asks for them, DESIGN §3): names no object, carries no
 * fields or images; its sourceTimestamp is a time up to which every change of the source precedes it.
 */
export function buildHeartbeatRecord(header: ChangeHeader): DtsRecord {
  return {
    ...headerPart(header),
    operation: 'HEARTBEAT',
    objectName: null,
    processTimestamps: null,
    tags: { server_id: String(header.serverId), readerThroughoutTime: String(header.readerThroughoutTime) },
    fields: null,
    beforeImages: null,
    afterImages: null,
    bornTimestamp: header.sourceTimestamp,
  };
}
