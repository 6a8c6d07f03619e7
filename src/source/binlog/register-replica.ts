/**
 * Registers sluice's binlog connection as a replica (COM_REGISTER_SLAVE) before zongji's dump, so the
 * server lists it (MySQL SHOW REPLICAS, MariaDB SHOW SLAVE HOSTS) with its server id and a report host naming
 * the job: another job, precheck or a DBA can see which server id is taken. zongji 0.9 sends only the dump.
 *
 * It leans on zongji's and mysql2's internals, fenced in zongji-internals.ts (beforeDump: zongji emits 'ready'
 * synchronously just before it queues its dump command on `connection`) and source/mysql/mysql2-internals.ts
 * (queueSinglePacketCommand: a raw command on mysql2's in-order command queue); a command queued there therefore
 * reaches the server first, on the same connection and thread (pinned in register-replica.test.ts).
 */
import { SourceError } from '../../errors.js';
import { queueSinglePacketCommand } from '../mysql/mysql2-internals.js';
import { beforeDump, type DumpingZongji } from './zongji-internals.js';

/** COM_REGISTER_SLAVE */
const COM_REGISTER_SLAVE = 0x15;
/** the server refuses a longer report host (HOSTNAME_LENGTH) */
const MAX_REPORT_HOST = 255;

export interface ReplicaIdentity {
  serverId: number;
  /** shown as Host in SHOW REPLICAS / SHOW SLAVE HOSTS */
  reportHost: string;
}

/** The COM_REGISTER_SLAVE payload: id, report host, empty user and password, port 0, rank 0, source id 0. */
export function registerReplicaPayload(id: ReplicaIdentity): Buffer {
  const host = Buffer.from(id.reportHost, 'utf8').subarray(0, MAX_REPORT_HOST);
  const out = Buffer.alloc(1 + 4 + 1 + host.length + 1 + 1 + 2 + 4 + 4);
  let at = out.writeUInt8(COM_REGISTER_SLAVE, 0);
  at = out.writeUInt32LE(id.serverId, at);
  at = out.writeUInt8(host.length, at);
  at += host.copy(out, at);
  at = out.writeUInt8(0, at); // user
  at = out.writeUInt8(0, at); // password
  at = out.writeUInt16LE(0, at); // port
  at = out.writeUInt32LE(0, at); // replication rank (unused by the server)
  out.writeUInt32LE(0, at); // source id: the server fills in its own
  return out;
}

/** zongji as far as registering touches it. */
export interface RegisteringZongji extends DumpingZongji {
  emit(event: 'error', err: Error): boolean;
}

/**
 * Queues COM_REGISTER_SLAVE ahead of zongji's dump. A refusal reaches zongji's 'error' listeners like any
 * error of the binlog connection (the dump queued behind it then never matters: the reader stops zongji).
 */
export function registerAsReplica(zongji: RegisteringZongji, id: ReplicaIdentity): void {
  beforeDump(zongji, (conn) => {
    queueSinglePacketCommand(conn, registerReplicaPayload(id), (err) => {
      if (err) zongji.emit('error', registerRefusal(err));
    });
  });
}

/**
 * The connection is logged in by now, so an access denial here is the missing REPLICATION SLAVE grant: MySQL's
 * check_access answers COM_REGISTER_SLAVE with ER_ACCESS_DENIED_ERROR (1045, "… (using password: YES)"), which
 * would otherwise read as wrong credentials (found with the grant revoked under a running job).
 */
function registerRefusal(err: Error): Error {
  const errno = (err as { errno?: number }).errno;
  if (errno !== 1045 && errno !== 1227) return err;
  return new SourceError(
    `The source refused to register sluice's binlog connection as a replica (the server said: ${err.message}): grant REPLICATION SLAVE and REPLICATION CLIENT to the sync account, then run the job again.`,
    { cause: err },
  );
}
