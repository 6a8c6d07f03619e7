import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pointPlace, recordHeader } from '../../../src/format/dts-avro/index.js';

test('a binlog record header names the event end, the transaction start, its GTID and thread', () => {
  const before = Date.now();
  const h = recordHeader(42, { timestampSec: 1712905965, file: 'mysql-bin.000078', endPos: 9000, txFile: 'mysql-bin.000077', txPos: 120, gtid: 'uuid:7', threadId: 12 }, { serverVersion: '9.7.4', serverId: 5401 });
  assert.deepEqual({ ...h, readerThroughoutTime: 0 }, {
    id: 42,
    sourceTimestamp: 1712905965,
    sourcePosition: '9000@78',
    safeSourcePosition: '120@77',
    sourceTxid: 'uuid:7',
    serverVersion: '9.7.4',
    threadId: 12,
    serverId: 5401,
    readerThroughoutTime: 0,
  });
  assert.ok(h.readerThroughoutTime >= before && h.readerThroughoutTime <= Date.now(), 'the read time is now, in ms');
});

test('a point (snapshot start, heartbeat) has one position for both, no transaction and no thread', () => {
  const h = recordHeader(0, pointPlace('binlog.000002', 186138, 1700000000), { serverVersion: '10.11.19-MariaDB', serverId: 11 });
  assert.equal(h.sourcePosition, '186138@2');
  assert.equal(h.safeSourcePosition, '186138@2');
  assert.equal(h.sourceTxid, '0');
  assert.equal(h.threadId, 0);
  assert.equal(h.sourceTimestamp, 1700000000);
});
