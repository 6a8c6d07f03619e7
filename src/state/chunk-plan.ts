/** The chunk plan as the checkpoint stores it, and back (key bounds as tagged text). */
import type { ChunkPlan } from './checkpoint.js';
import type { ChunkSpec, KeyValue } from '../model/index.js';

/** Key bounds travel in the checkpoint as strings: `t:` text or `x:` hex (binary key columns). */
function boundToText(b: KeyValue[] | null): string[] | null {
  return b ? b.map((v) => ('hex' in v ? `x:${v.hex}` : `t:${v.text}`)) : null;
}

function boundFromText(b: readonly (string | null)[] | null): KeyValue[] | null {
  return b ? b.map((s) => (s?.startsWith('x:') ? { hex: s.slice(2) } : { text: (s ?? '').slice(2) })) : null;
}

export function toChunkPlan(c: ChunkSpec): ChunkPlan {
  return { chunk: c.id, table: `${c.db}.${c.table}`, lower: boundToText(c.lower), upper: boundToText(c.upper), firstId: BigInt(c.idBase) };
}

/** Rebuilds a chunk from the checkpoint; its key columns come from the table as it is now. */
export function fromChunkPlan(p: ChunkPlan, db: string, table: string, keyColumns: string[]): ChunkSpec {
  return {
    id: p.chunk,
    db,
    table,
    index: Number(p.chunk.slice(p.chunk.lastIndexOf('#') + 1)),
    keyColumns,
    lower: boundFromText(p.lower),
    upper: boundFromText(p.upper),
    idBase: Number(p.firstId),
    estimatedRows: 0,
  };
}
