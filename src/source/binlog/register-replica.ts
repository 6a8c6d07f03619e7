/**
 * Registers sluice's binlog connection as a replica (COM_REGISTER_SLAVE) before zongji's dump, so the
 * server lists it (MySQL SHOW REPLICAS, MariaDB SHOW SLAVE HOSTS) with its server id and a report host naming
 * the job: another job, precheck or a DBA can see which server id is taken. zongji 0.9 sends only the dump.
 *
 * Fenced here because it leans on zongji's internals (unit-tested in register-replica.test.ts): zongji
 * emits 'ready' synchronously just before it queues its dump command on `connection`, a mysql2 connection
 * that runs queued commands in order; a command queued from the 'ready' listener therefore reaches the
 * server first, on the same connection and thread.
 */
import { SourceError } from '../../errors.js';

/** COM_REGISTER_SLAVE */
const COM_REGISTER_SLAVE = 0x15;
/** the server refuses a longer report host (HOSTNAME_LENGTH) */
const MAX_REPORT_HOST = 255;

/** The mysql2 packet handed to a command (only what is read here). */
interface Mysql2Packet {
  isError(): boolean;
  asError(encoding?: string): Error;
}

/** The mysql2 connection as a command drives it (lib/base/connection.js). */
export interface Mysql2CommandConnection {
  clientEncoding?: string;
  _resetSequenceId(): void;
  writePacket(packet: OutgoingPacket): void;
  addCommand(cmd: RegisterReplicaCommand): unknown;
}

/** What mysql2's writePacket needs: the buffer with 4 header bytes first, and its header filled in. */
export interface OutgoingPacket {
  buffer: Buffer;
  length(): number;
  writeHeader(sequenceId: number): void;
}

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

function outgoing(payload: Buffer): OutgoingPacket {
  const buffer = Buffer.alloc(4 + payload.length);
  payload.copy(buffer, 4);
  return {
    buffer,
    length: () => buffer.length,
    writeHeader(sequenceId: number) {
      buffer.writeUIntLE(payload.length, 0, 3);
      buffer.writeUInt8(sequenceId, 3);
    },
  };
}

/** A mysql2 command: send the payload, then read the server's OK or error. */
export class RegisterReplicaCommand {
  private sent = false;
  constructor(
    private readonly payload: Buffer,
    private readonly done: (err: Error | null) => void,
  ) {}

  /** mysql2 calls this with no packet to start the command, then with each reply; true ends the command. */
  execute(packet: Mysql2Packet | undefined, connection: Mysql2CommandConnection): boolean {
    if (!this.sent) {
      this.sent = true;
      connection._resetSequenceId();
      connection.writePacket(outgoing(this.payload));
      return false;
    }
    this.done(packet?.isError() ? packet.asError(connection.clientEncoding) : null);
    return true;
  }

  // mysql2 logs these when its debug option is on
  stateName(): string {
    return this.sent ? 'reply' : 'start';
  }
}

/** zongji as far as registering touches it. */
export interface RegisteringZongji {
  connection: Mysql2CommandConnection | null;
  once(event: 'ready', listener: () => void): unknown;
  emit(event: 'error', err: Error): boolean;
}

/**
 * Queues COM_REGISTER_SLAVE ahead of zongji's dump. A refusal reaches zongji's 'error' listeners like any
 * error of the binlog connection (the dump queued behind it then never matters: the reader stops zongji).
 */
export function registerAsReplica(zongji: RegisteringZongji, id: ReplicaIdentity): void {
  zongji.once('ready', () => {
    const conn = zongji.connection;
    if (!conn) return;
    conn.addCommand(
      new RegisterReplicaCommand(registerReplicaPayload(id), (err) => {
        if (err) zongji.emit('error', registerRefusal(err));
      }),
    );
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
