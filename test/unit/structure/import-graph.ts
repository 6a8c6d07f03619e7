/**
 * src/'s import graph, built with the TypeScript scanner (no extra dependency), and the three layout rules of
 * DESIGN §6 checked over it: no cycle between folders, no import from a lower stage up to a higher one, and a
 * folder entered from outside its stage through its index. Pure functions over an in-memory file map, so the
 * rules are unit-tested on small examples as well as run on the real tree.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';

/** One import of one src/ file by another; paths are relative to src/, with '/' separators. */
export interface ImportEdge {
  from: string;
  to: string;
  /** 1-based line of the specifier in `from`, for the failure message. */
  line: number;
  specifier: string;
}

/** Every `.ts` / `.cts` file below `srcDir`, as path (relative, '/'-separated) → text. */
export function readSources(srcDir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      if (statSync(abs).isDirectory()) walk(abs, r);
      else if ((name.endsWith('.ts') && !name.endsWith('.d.ts')) || name.endsWith('.cts')) out.set(r, readFileSync(abs, 'utf8'));
    }
  };
  walk(srcDir, '');
  return out;
}

/** `./x.js` → `x.ts`, `./x.cjs` → `x.cts`, relative to the importing file; undefined for a package or a file not in `files`. */
export function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const joined = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [joined.replace(/\.js$/, '.ts'), joined.replace(/\.cjs$/, '.cts'), joined.replace(/\.mjs$/, '.mts'), joined, `${joined}.ts`, `${joined}/index.ts`];
  return candidates.find((c) => files.has(c));
}

/**
 * Every import of one file by another: `import` (type-only too), `export … from`, `import()` and `require()`.
 * A relative specifier that names no file of the tree is an error, so a typo cannot hide an edge.
 */
export function buildGraph(sources: ReadonlyMap<string, string>): ImportEdge[] {
  const files = new Set(sources.keys());
  const edges: ImportEdge[] = [];
  for (const [from, text] of sources) {
    const info = ts.preProcessFile(text, true, true);
    for (const ref of info.importedFiles) {
      const to = resolveSpecifier(from, ref.fileName, files);
      if (to === undefined) {
        if (ref.fileName.startsWith('.')) throw new Error(`${from}: import '${ref.fileName}' names no file under src/`);
        continue;
      }
      const line = text.slice(0, ref.pos).split('\n').length;
      edges.push({ from, to, line, specifier: ref.fileName });
    }
  }
  return edges;
}

/**
 * The folder of a file: its directory under src/. A file at the top of src/ (errors.ts, worker.ts) is a stage of
 * its own and counts as a folder of its own, named like its stage: putting them all in one '.' folder would join
 * the lowest file (errors.ts) and the highest (worker.ts) into one false cycle through everything between.
 */
export function folderOf(file: string): string {
  return file.includes('/') ? posix.dirname(file) : stageOf(file);
}

/** The top-level stage of a file: its first folder, or for a file at the top of src/ its name without the extension. */
export function stageOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? file.replace(/\.c?ts$/, '') : file.slice(0, slash);
}

const show = (e: ImportEdge): string => `${e.from}:${e.line} → ${e.to}`;

/** Strongly connected components (Tarjan) of the folder graph that hold more than one folder, and the imports inside each. */
export function folderCycles(edges: readonly ImportEdge[]): { folders: string[]; imports: string[] }[] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (!next.has(a)) next.set(a, new Set());
    if (!next.has(b)) next.set(b, new Set());
    if (a !== b) next.get(a)!.add(b);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) components.push(c.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((folders) => {
    const inside = new Set(folders);
    const imports = edges
      .filter((e) => folderOf(e.from) !== folderOf(e.to) && inside.has(folderOf(e.from)) && inside.has(folderOf(e.to)))
      .map(show)
      .sort();
    return { folders, imports };
  });
}

/**
 * Imports from a stage up to a higher one, or across to a peer. `order` lists the levels lowest first, each one
 * stage or a list of peer stages; a stage may import its own files and the stages of lower levels only. A stage
 * missing from `order` is reported too, so a new top-level folder has to be given its place.
 */
export function upwardImports(edges: readonly ImportEdge[], order: ReadonlyArray<string | readonly string[]>): string[] {
  const rank = new Map(order.flatMap((level, i) => (typeof level === 'string' ? [level] : level).map((s) => [s, i] as const)));
  const out: string[] = [];
  for (const e of edges) {
    const a = stageOf(e.from);
    const b = stageOf(e.to);
    if (a === b) continue;
    const ra = rank.get(a);
    const rb = rank.get(b);
    if (ra === undefined || rb === undefined) out.push(`${show(e)} (stage '${ra === undefined ? a : b}' has no place in the stage order)`);
    else if (rb > ra) out.push(`${show(e)} (${a} is below ${b})`);
    else if (rb === ra) out.push(`${show(e)} (${a} and ${b} are peers: neither may import the other)`);
  }
  return out.sort();
}

/**
 * Imports of a folder's non-index file from outside that folder's top-level stage, as `from → to` (no line, so the
 * list is stable under edits). A file at the top of src/ is its own stage, and nothing is "inside" it.
 */
export function nonIndexImports(edges: readonly ImportEdge[]): string[] {
  const out = new Set<string>();
  for (const e of edges) {
    if (!e.to.includes('/')) continue;
    if (stageOf(e.from) === stageOf(e.to)) continue;
    if (posix.basename(e.to) === 'index.ts') continue;
    out.add(`${e.from} → ${e.to}`);
  }
  return [...out].sort();
}
