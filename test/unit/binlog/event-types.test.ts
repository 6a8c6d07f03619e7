import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventTreatment, eventTypeName, LOG_EVENT_IGNORABLE_F } from '../../../src/source/binlog/event-types.js';

test('row events zongji decodes go to zongji; compressed transactions and partial JSON updates are sluice\'s', () => {
  for (const code of [2, 4, 15, 16, 19, 23, 24, 25, 30, 31, 32, 33, 34, 38, 42, 162, 169, 170, 171]) assert.equal(eventTreatment(code, 0), 'zongji', eventTypeName(code));
  assert.equal(eventTreatment(40, 0), 'payload');
  assert.equal(eventTreatment(39, 0), 'partial');
});

test('events whose rows sluice cannot read are refused, whatever their flags', () => {
  for (const code of [0, 1, 6, 17, 18, 20, 26]) assert.equal(eventTreatment(code, LOG_EVENT_IGNORABLE_F), 'refuse', eventTypeName(code));
  assert.equal(eventTypeName(26), 'INCIDENT_EVENT');
});

test('a type code no server defines is refused unless the server flagged it ignorable', () => {
  assert.equal(eventTreatment(201, 0), 'refuse');
  assert.equal(eventTypeName(201), 'type 201');
  assert.equal(eventTreatment(201, LOG_EVENT_IGNORABLE_F), 'zongji');
});
