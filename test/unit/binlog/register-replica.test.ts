/**
 * sluice registers its binlog connection as a replica through zongji's and mysql2's internals (register-replica.ts,
 * by way of zongji-internals.ts beforeDump and mysql2-internals.ts queueSinglePacketCommand).
 * These tests pin those internals: if zongji stops emitting 'ready' right before queueing its dump on
 * `connection`, or starts registering by itself, they fail and the fenced layer must be revisited.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { SourceError } from '../../../src/errors.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registerAsReplica, registerReplicaPayload } from '../../../src/source/binlog/register-replica.js';
import type { Mysql2CommandConnection, OutgoingPacket, SinglePacketCommand as RegisterReplicaCommand } from '../../../src/source/mysql/mysql2-internals.js';

const zongjiIndex = fileURLToPath(import.meta.resolve('@vlasky/zongji'));
const zongjiDump = fileURLToPath(new URL('./lib/sequence/binlog.js', import.meta.resolve('@vlasky/zongji')));

test("zongji emits 'ready' just before it queues its dump command on this.connection", () => {
  const src = readFileSync(zongjiIndex, 'utf8');
  const ready = src.indexOf("this.emit('ready');");
  const dump = src.indexOf('this.connection.addCommand(new this.BinlogClass(binlogHandler));');
  assert.ok(ready > 0 && dump > ready, 'the ready/addCommand order in zongji index.js changed');
  // between the two, only guards and comments: no await, no callback that would let the dump go first
  const between = src.slice(ready, dump);
  assert.doesNotMatch(between, /await|\.then\(|setImmediate|setTimeout|process\.nextTick/);
});

test('zongji does not register as a replica by itself (else sluice would register twice)', () => {
  const src = readFileSync(zongjiIndex, 'utf8') + readFileSync(zongjiDump, 'utf8');
  assert.doesNotMatch(src, /REGISTER_SLAVE|REGISTER_REPLICA|0x15\b/i);
});

test('the COM_REGISTER_SLAVE payload: command, id, report host, empty user/password, port, rank, source id', () => {
  const p = registerReplicaPayload({ serverId: 0xfedcba98, reportHost: 'sluice:orders' });
  assert.equal(p.toString('hex'), '15' + '98badcfe' + '0d' + Buffer.from('sluice:orders').toString('hex') + '00' + '00' + '0000' + '00000000' + '00000000');
});

class FakeConnection implements Mysql2CommandConnection {
  commands: Array<{ execute(packet: unknown, conn: Mysql2CommandConnection): boolean }> = [];
  written: Buffer[] = [];
  sequenceId = 9;
  _resetSequenceId(): void {
    this.sequenceId = 0;
  }
  writePacket(packet: OutgoingPacket): void {
    packet.writeHeader(this.sequenceId);
    this.written.push(packet.buffer);
  }
  addCommand(cmd: RegisterReplicaCommand): unknown {
    this.commands.push(cmd);
    return cmd;
  }
}

function zongjiWith(conn: FakeConnection) {
  const z = new EventEmitter() as EventEmitter & { connection: FakeConnection };
  z.connection = conn;
  return z;
}

test('on ready the register command is queued first, writes one packet, and ends on the OK', () => {
  const conn = new FakeConnection();
  const z = zongjiWith(conn);
  const errors: Error[] = [];
  z.on('error', (e: Error) => errors.push(e));
  registerAsReplica(z, { serverId: 5, reportHost: 'sluice:a' });
  z.emit('ready');
  conn.addCommand({ execute: () => true } as never); // zongji's dump, queued after 'ready'
  assert.equal(conn.commands.length, 2);
  const cmd = conn.commands[0]!;
  assert.equal(cmd.execute(undefined, conn), false);
  const [w] = conn.written;
  assert.ok(w);
  assert.equal(w.readUIntLE(0, 3), w.length - 4);
  assert.equal(w[3], 0, 'a command starts at sequence id 0');
  assert.equal(w[4], 0x15);
  assert.equal(cmd.execute({ isError: () => false, asError: () => new Error('x') }, conn), true);
  assert.deepEqual(errors, []);
});

test("a refused registration reaches zongji's error listeners", () => {
  const conn = new FakeConnection();
  const z = zongjiWith(conn);
  const errors: Error[] = [];
  z.on('error', (e: Error) => errors.push(e));
  registerAsReplica(z, { serverId: 5, reportHost: 'sluice:a' });
  z.emit('ready');
  const cmd = conn.commands[0]!;
  cmd.execute(undefined, conn);
  const refused = Object.assign(new Error('Lost connection'), { errno: 2013 });
  assert.equal(cmd.execute({ isError: () => true, asError: () => refused }, conn), true);
  assert.deepEqual(errors, [refused]);
});

test('an access denial of the registration names the REPLICATION SLAVE grant, not the credentials', () => {
  // MySQL answers COM_REGISTER_SLAVE without the grant with ER_ACCESS_DENIED_ERROR (1045, "using password: YES")
  for (const errno of [1045, 1227]) {
    const conn = new FakeConnection();
    const z = zongjiWith(conn);
    const errors: Error[] = [];
    z.on('error', (e: Error) => errors.push(e));
    registerAsReplica(z, { serverId: 5, reportHost: 'sluice:a' });
    z.emit('ready');
    const cmd = conn.commands[0]!;
    cmd.execute(undefined, conn);
    const denied = Object.assign(new Error("Access denied for user 'u'@'h' (using password: YES)"), { errno });
    cmd.execute({ isError: () => true, asError: () => denied }, conn);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof SourceError, String(errors[0]));
    assert.match(errors[0].message, /^The source refused to register sluice's binlog connection as a replica \(the server said: Access denied .*\): grant REPLICATION SLAVE and REPLICATION CLIENT to the sync account, then run the job again\.$/);
  }
});
