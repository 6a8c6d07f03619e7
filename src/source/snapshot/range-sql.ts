import type { ChunkSpec, KeyValue } from './chunk.js';
import { quoteIdent } from '../../model/table.js';


function param(v: KeyValue): string | Buffer {
  return 'hex' in v ? Buffer.from(v.hex, 'hex') : v.text;
}

/**
 * `(k1, k2) >= (a, b)` written out as `k1 > a OR (k1 = a AND k2 >= b)`: MariaDB does not use an index
 * range for row-constructor comparisons, and the expanded form is a range on both servers.
 */
function compare(cols: readonly string[], values: readonly KeyValue[], op: '>=' | '<', params: Array<string | Buffer>): string {
  const strict = op === '>=' ? '>' : '<';
  const parts: string[] = [];
  for (let i = 0; i < cols.length; i++) {
    const eqs = cols.slice(0, i).map((c) => `${quoteIdent(c)} = ?`);
    const last = i === cols.length - 1 ? op : strict;
    parts.push(`(${[...eqs, `${quoteIdent(cols[i] as string)} ${last} ?`].join(' AND ')})`);
    for (let j = 0; j < i; j++) params.push(param(values[j] as KeyValue));
    params.push(param(values[i] as KeyValue));
  }
  return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' OR ')})`;
}

/** The WHERE clause (without the keyword) and its parameters for a chunk's range plus an optional filter. */
export function chunkWhere(chunk: ChunkSpec, filterSql: string | null): { where: string; params: Array<string | Buffer> } {
  const params: Array<string | Buffer> = [];
  const conds: string[] = [];
  if (chunk.lower) conds.push(compare(chunk.keyColumns, chunk.lower, '>=', params));
  if (chunk.upper) conds.push(compare(chunk.keyColumns, chunk.upper, '<', params));
  if (filterSql) conds.push(`(${filterSql})`);
  return { where: conds.length ? conds.join(' AND ') : '1=1', params };
}
