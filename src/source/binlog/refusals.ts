/**
 * The events whose row changes sluice cannot read, decided per framed event (DESIGN §5: decoded or refused,
 * never skipped). Each is something one session can cause even when the server's globals pass precheck:
 * - an event type sluice does not decode (the gate hands it on as a Refused event);
 * - a row change logged as a statement (SET SESSION binlog_format=STATEMENT/MIXED): a Query holding DML,
 *   whose rows the binlog never carries;
 * - a row image without every column (SET SESSION binlog_row_image=MINIMAL/NOBLOB): zongji reports the
 *   missing columns as NULL, which sluice would write as if they were.
 */
import { EVENT, type RawQuery, type RawRefused, type RawRowsEvent } from './binlog-event.js';
import { tokenizeSql } from './ddl-tables.js';
import type { FramedEvent } from './framer.js';

/** Whether the job reads a table (its row changes matter). */
export type SelectsTable = (db: string, table: string) => boolean;

export type Refusal =
  | { readonly reason: 'event'; readonly typeName: string }
  | { readonly reason: 'statement'; readonly statement: string }
  | { readonly reason: 'partial-image'; readonly table: string };

const LEADING_COMMENTS = /^(\s+|\/\*[^!][\s\S]*?\*\/|#[^\n]*\n|--[^\n]*\n)*/;
const DML = /^(INSERT|UPDATE|DELETE|REPLACE|LOAD\s+DATA|LOAD\s+XML)\b/i;

function allColumns(bitmap: Buffer | undefined, columns: number): boolean {
  if (!bitmap) return true;
  for (let i = 0; i < columns; i++) if (((bitmap[i >> 3] as number) & (1 << (i & 7))) === 0) return false;
  return true;
}

/**
 * Whether a statement-logged DML may change a table the job reads: any name in it, bare (in the statement's
 * default database) or qualified, that the job selects. Deliberately generous (a column named like a
 * selected table counts too): refusing a statement that did not matter costs a restart with ROW logging,
 * skipping one that did would lose rows silently. Other applications' databases on the same server may log
 * statements without stopping the job.
 */
export function mayTouchSelected(query: RawQuery, selects: SelectsTable): boolean {
  const toks = tokenizeSql(query.query);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t?.t !== 'id') continue;
    const dot = toks[i + 1];
    const next = toks[i + 2];
    if (dot?.t === 'punct' && dot.v === '.' && next?.t === 'id' && selects(t.v, next.v)) return true;
    if (query.schema && selects(query.schema, t.v)) return true;
  }
  return false;
}

export function refusalOf(ev: FramedEvent, selects: SelectsTable = () => true): Refusal | null {
  const type = ev.event.getTypeName();
  if (ev.kind === 'unsupported') return { reason: 'event', typeName: (ev.event as RawRefused).typeName ?? type };
  // inside a transaction it frames as 'other'; alone (a standalone group) as 'ddl' — no DDL starts with DML
  if (type === EVENT.query && (ev.kind === 'other' || ev.kind === 'ddl')) {
    const q = ev.event as RawQuery;
    const text = q.query.replace(LEADING_COMMENTS, '');
    if (DML.test(text) && mayTouchSelected(q, selects)) return { reason: 'statement', statement: text.slice(0, 60) };
    return null;
  }
  if (ev.kind === 'rows') {
    const e = ev.event as RawRowsEvent;
    const entry = e.tableMap[e.tableId];
    const n = entry?.columns?.length;
    if (n === undefined) return null;
    if (!allColumns(e.columns_present_bitmap, n) || !allColumns(e.columns_present_bitmap2, n)) {
      return { reason: 'partial-image', table: `${entry?.parentSchema}.${entry?.tableName}` };
    }
  }
  return null;
}
