import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverIdCheck } from '../../../src/precheck/server-id-check.js';
import { replicaListStatement } from '../../../src/source/mysql/replica-list.js';

const HINT = 'GRANT REPLICATION MASTER ADMIN ON *.* TO the sync account';

test('a listed replica with the job server id FAILs in one sentence naming the id, its host and the fix', () => {
  const c = serverIdCheck(4242, { listed: true, replicas: [{ serverId: 7, host: 'db2' }, { serverId: 4242, host: 'sluice:orders' }] }, HINT);
  assert.equal(c.status, 'FAIL');
  assert.equal(c.detail, 'another replica (host "sluice:orders") is connected with server id 4242, and the server ends the older of two binlog streams with one id: give this job its own name (its server id is derived from it when source.serverId is omitted) or its own source.serverId.');
});

test('an unused id passes; a refused listing WARNs that it cannot check, with the grant', () => {
  assert.equal(serverIdCheck(1, { listed: true, replicas: [{ serverId: 7, host: '' }] }, HINT).status, 'PASS');
  const w = serverIdCheck(1, { listed: false, statement: 'SHOW SLAVE HOSTS', why: 'the sync account may not list them' }, HINT);
  assert.equal(w.status, 'WARN');
  assert.match(w.detail, /^cannot check: SHOW SLAVE HOSTS was refused/);
  assert.match(w.fix ?? '', /REPLICATION MASTER ADMIN/);
});

test('the listing statement follows the server', () => {
  assert.equal(replicaListStatement({ flavor: 'mariadb', major: 10, minor: 11, patch: 9, text: '' }), 'SHOW SLAVE HOSTS');
  assert.equal(replicaListStatement({ flavor: 'mysql', major: 9, minor: 7, patch: 0, text: '' }), 'SHOW REPLICAS');
  assert.equal(replicaListStatement({ flavor: 'mysql', major: 8, minor: 0, patch: 22, text: '' }), 'SHOW REPLICAS');
  assert.equal(replicaListStatement({ flavor: 'mysql', major: 8, minor: 0, patch: 21, text: '' }), 'SHOW SLAVE HOSTS');
  assert.equal(replicaListStatement({ flavor: 'mysql', major: 5, minor: 7, patch: 44, text: '' }), 'SHOW SLAVE HOSTS');
});
