/**
 * What a failure of the binlog stream means for the job: retry it (the connection went away) or stop with
 * one sentence naming the cause and the fix (DESIGN §5).
 */
import { FaultError, SourceError } from '../../errors.js';
import type { BinlogPoint } from './framer.js';
import type { Refusal } from './refusals.js';
import { isConnectionLoss, type MysqlErrorLike } from '../mysql/connection-loss.js';

/** The server no longer has the binlog the stream needs (ER_MASTER_FATAL_ERROR_READING_BINLOG). */
const ER_BINLOG_READ_FATAL = 1236;

/** MariaDB's ER_SLAVE_SAME_ID (mysql2 names it after MySQL's unrelated 4052) */
const ER_MARIADB_SAME_ID = 4052;
/**
 * The server ended the dump because another replica connected with the same server id. MySQL 9.7 (1236):
 * "A replica with the same server_uuid/server_id as this replica has connected to the source"; older MySQL
 * says slave/master; MariaDB 10.11/11.8 (4052): "A slave with the same server_uuid/server_id is already connected".
 */
const SAME_SERVER_ID = /(slave|replica) with the same server_uuid\/server_id/i;

export type { MysqlErrorLike } from '../mysql/connection-loss.js';

/** A failure the reader may retry after reconnecting. */
export class TransientSourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientSourceError';
  }
}

/** What to do about an event type sluice refuses, by the server's name for it. */
const EVENT_FIXES: Readonly<Record<string, string>> = {
  INCIDENT_EVENT: 'the source logged an incident (changes may be missing from its binlog); check its error log',
  LOAD_EVENT: 'it is a statement-based LOAD DATA; set binlog_format=ROW on the source (and in every session)',
  NEW_LOAD_EVENT: 'it is a statement-based LOAD DATA; set binlog_format=ROW on the source (and in every session)',
  BEGIN_LOAD_QUERY_EVENT: 'it is a statement-based LOAD DATA; set binlog_format=ROW on the source (and in every session)',
  EXECUTE_LOAD_QUERY_EVENT: 'it is a statement-based LOAD DATA; set binlog_format=ROW on the source (and in every session)',
};

const RESNAPSHOT_REFUSED = "events already written that way need a new snapshot: run 'sluice run <job> --resnapshot' (into a new or emptied topic: the old one still holds rows such writes changed)";

/** The stop for a framed event whose row changes sluice cannot read (refusals.ts), naming where and why. */
export function refusalError(r: Refusal, at: BinlogPoint, txStart: BinlogPoint): SourceError {
  const where = `ending at ${at.file}:${at.pos} (transaction from ${txStart.file}:${txStart.pos})`;
  switch (r.reason) {
    case 'event':
      return new SourceError(
        `The binlog holds a ${r.typeName} event ${where} that sluice cannot decode, so it stopped instead of skipping it: ${EVENT_FIXES[r.typeName] ?? 'find what writes that event on the source and turn it off'}; ${RESNAPSHOT_REFUSED}.`,
      );
    case 'statement':
      return new SourceError(
        `The binlog holds a row change logged as a statement (${r.statement}…) ${where}, whose rows sluice cannot know, so it stopped: a session wrote it with binlog_format=STATEMENT or MIXED; keep binlog_format=ROW in every session (revoke SYSTEM_VARIABLES_ADMIN/SUPER from writers if need be); ${RESNAPSHOT_REFUSED}.`,
      );
    case 'partial-image':
      return new SourceError(
        `The binlog holds rows of ${r.table} ${where} whose images leave columns out, so sluice stopped instead of writing them as NULL: a session wrote them with binlog_row_image=MINIMAL or NOBLOB; keep binlog_row_image=FULL in every session; ${RESNAPSHOT_REFUSED}.`,
      );
  }
}

const RESNAPSHOT = (stateDir: string): string => `take a new snapshot with 'sluice run <job> --resnapshot' (it moves the checkpoint in ${stateDir} aside)`;

/** MySQL names the GTIDs it purged: "... and the missing transactions are 'uuid:6-9'." */
const MYSQL_MISSING = /missing transactions are '([^']*)'/;
/** The server has not got (all of) the transactions sluice already read: MySQL / MariaDB wording. */
const AHEAD_OF_SERVER = /more GTIDs than the source|more GTIDs than the master|which is not in the master's binlog|which is not in the source's binlog/i;

/**
 * A refused resume by GTID (ER_MASTER_FATAL_ERROR_READING_BINLOG): either the server purged binlogs holding
 * transactions after sluice's GTID set, or the set holds transactions this server never had (a failover to
 * a server behind the old one, or another server altogether).
 */
function gtidStartError(message: string, startGtid: string, stateDir: string, cause: unknown): FaultError {
  if (AHEAD_OF_SERVER.test(message)) {
    return new FaultError(
      `The source has not got every transaction sluice already read (its checkpoint's GTID state is ${startGtid}; the server said: ${message}), so it cannot continue from there: point source.host at a server that holds them (the old primary or an up-to-date replica), or ${RESNAPSHOT(stateDir)}.`,
      { cause },
    );
  }
  const missing = MYSQL_MISSING.exec(message)?.[1];
  const named = missing ? `the missing GTIDs are ${missing}` : `the GTIDs after ${startGtid} up to the oldest binlog the server kept are gone`;
  return new FaultError(
    `The source purged binlogs holding transactions sluice has not read yet (${named}; sluice had read up to GTID state ${startGtid}; the server said: ${message}), so those changes cannot be read: ${RESNAPSHOT(stateDir)}, and keep binlogs longer (binlog_expire_logs_seconds) than sluice may be stopped.`,
    { cause },
  );
}

/** Whether the server ended the stream for another replica with sluice's server id (never retried: the two would take turns). */
export function isSameServerId(err: MysqlErrorLike): boolean {
  return (err.errno === ER_BINLOG_READ_FATAL || err.errno === ER_MARIADB_SAME_ID) && SAME_SERVER_ID.test(err.message ?? '');
}

/** Turns an error of the binlog connection into a SourceError (stop) or a TransientSourceError (retry). */
export function explainBinlogError(e: unknown, from: BinlogPoint, stateDir: string, startGtid: string | null = null, serverId?: number): Error {
  if (e instanceof SourceError || e instanceof FaultError || e instanceof TransientSourceError) return e;
  const err = (e ?? {}) as MysqlErrorLike;
  const message = err.message ?? String(e);
  if (isSameServerId(err)) {
    const id = serverId === undefined ? "sluice's server id" : `server id ${serverId}`;
    return new FaultError(
      `The source ended sluice's binlog stream because another replica uses ${id} and connected after it (sluice's checkpoint is intact): give each job reading this source its own name (the server id is derived from it when source.serverId is omitted) or its own source.serverId, then run this job again.`,
      { cause: e },
    );
  }
  if (err.errno === ER_BINLOG_READ_FATAL && startGtid) return gtidStartError(message, startGtid, stateDir, e);
  if (err.errno === ER_BINLOG_READ_FATAL) {
    return new FaultError(
      `The source no longer has binlog file ${from.file} (purged past sluice's position ${from.file}:${from.pos}; the server said: ${message}), so changes since then cannot be read: ${RESNAPSHOT(stateDir)}, and keep binlogs longer (binlog_expire_logs_seconds) than sluice may be stopped.`,
      { cause: e },
    );
  }
  if (err.errno === 1045 || err.code === 'ER_ACCESS_DENIED_ERROR') {
    return new SourceError(`The source refused the sync account's credentials for the binlog stream (${message}): check source.user and source.password.`, { cause: e });
  }
  if (err.errno === 1227 || err.code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR') {
    return new SourceError(`The source refused the binlog stream (${message}): grant REPLICATION SLAVE and REPLICATION CLIENT to the sync account.`, { cause: e });
  }
  if (isConnectionLoss(err) || err.fatal === true || /connection|closed|socket|timeout/i.test(message)) {
    return new TransientSourceError(`binlog connection lost (${err.code ?? message})`, { cause: e });
  }
  return new SourceError(`Reading the binlog at ${from.file}:${from.pos} failed (${message}): check the source server's log; sluice resumes from its checkpoint when run again.`, { cause: e });
}
