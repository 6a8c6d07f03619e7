/**
 * MySQL's partial JSON updates (binlog_row_value_options=PARTIAL_JSON): the after image of a JSON column holds
 * a diff vector instead of the document, to be applied to the before image's document. Layout (sql/json_diff.cc
 * Json_diff::write_binary), repeated to the end of the value: operation (1 byte: 0 REPLACE, 1 INSERT, 2 REMOVE),
 * the path as length-prefixed text (`$.a[1]`, `$."a b"`), and unless REMOVE a length-prefixed binary JSON value
 * (type byte first, as a column value).
 *
 * The document is parsed into a tree whose leaves keep the text MySQL prints for them (jsonb-text.ts), the
 * diffs are applied, and the tree is printed as MySQL prints a document: object keys ordered by byte length,
 * then bytes (MySQL's Json_object key order), `, ` and `: ` separators.
 */
import { SourceError } from '../../errors.js';
import { INT16, INT32, LARGE_ARRAY, LARGE_OBJECT, LITERAL, quote, renderValue, SMALL_OBJECT, UINT16, UINT32, utf8Text } from './jsonb-text.js';

type JsonNode =
  | { readonly kind: 'leaf'; readonly text: string }
  | { readonly kind: 'array'; readonly items: JsonNode[] }
  | { readonly kind: 'object'; readonly members: Map<string, JsonNode> };


const REPLACE = 0;
const INSERT = 1;
const REMOVE = 2;

function parseValue(buf: Buffer, type: number, pos: number): JsonNode {
  if (type > LARGE_ARRAY) return { kind: 'leaf', text: renderValue(buf, type, pos) };
  const large = type === LARGE_OBJECT || type === LARGE_ARRAY;
  const isObject = type === SMALL_OBJECT || type === LARGE_OBJECT;
  const w = large ? 4 : 2;
  const count = large ? buf.readUInt32LE(pos) : buf.readUInt16LE(pos);
  const keyEntries = pos + 2 * w;
  const valueEntries = keyEntries + (isObject ? count * (w + 2) : 0);
  const items: JsonNode[] = [];
  const members = new Map<string, JsonNode>();
  for (let i = 0; i < count; i++) {
    const ve = valueEntries + i * (1 + w);
    const vt = buf[ve] as number;
    const inlined = vt === LITERAL || vt === INT16 || vt === UINT16 || (large && (vt === INT32 || vt === UINT32));
    const node = inlined ? parseValue(buf, vt, ve + 1) : parseValue(buf, vt, pos + (large ? buf.readUInt32LE(ve + 1) : buf.readUInt16LE(ve + 1)));
    if (isObject) {
      const ke = keyEntries + i * (w + 2);
      const keyOff = large ? buf.readUInt32LE(ke) : buf.readUInt16LE(ke);
      const keyLen = buf.readUInt16LE(ke + w);
      members.set(utf8Text(buf, pos + keyOff, pos + keyOff + keyLen), node);
    } else items.push(node);
  }
  return isObject ? { kind: 'object', members } : { kind: 'array', items };
}

/** A binary JSON document (type byte first) as a tree; an empty value is JSON null, as MySQL treats it. */
function parseDocument(buf: Buffer): JsonNode {
  if (buf.length === 0) return { kind: 'leaf', text: 'null' };
  return parseValue(buf, buf[0] as number, 1);
}

/** MySQL's key order: shorter keys first, then by bytes. */
function compareKeys(a: string, b: string): number {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length - bb.length || Buffer.compare(ab, bb);
}

function render(node: JsonNode): string {
  switch (node.kind) {
    case 'leaf':
      return node.text;
    case 'array':
      return '[' + node.items.map(render).join(', ') + ']';
    case 'object': {
      const keys = [...node.members.keys()].sort(compareKeys);
      return '{' + keys.map((k) => `${quote(k)}: ${render(node.members.get(k) as JsonNode)}`).join(', ') + '}';
    }
  }
}

type PathLeg = { readonly key: string } | { readonly index: number };

/** A path as MySQL writes it in a diff: `$`, then `.key`, `."quoted key"` or `[n]` legs. */
export function parseJsonPath(path: string): PathLeg[] {
  if (path[0] !== '$') throw new Error(`JSON diff path ${path} does not start with $`);
  const legs: PathLeg[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      i++;
      if (path[i] === '"') {
        // a JSON string literal: find its closing quote, skipping escapes
        let j = i + 1;
        while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
        legs.push({ key: JSON.parse(path.slice(i, j + 1)) as string });
        i = j + 1;
      } else {
        let j = i;
        while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
        legs.push({ key: path.slice(i, j) });
        i = j;
      }
    } else if (c === '[') {
      const j = path.indexOf(']', i);
      if (j < 0) throw new Error(`JSON diff path ${path} has an unclosed [`);
      const index = Number(path.slice(i + 1, j).trim());
      if (!Number.isInteger(index) || index < 0) throw new Error(`JSON diff path ${path} has an index sluice cannot apply`);
      legs.push({ index });
      i = j + 1;
    } else if (c === ' ') {
      i++;
    } else {
      throw new Error(`JSON diff path ${path} has an unexpected character ${c}`);
    }
  }
  return legs;
}

function child(node: JsonNode, leg: PathLeg, path: string): JsonNode {
  const next = 'key' in leg ? (node.kind === 'object' ? node.members.get(leg.key) : undefined) : node.kind === 'array' ? node.items[leg.index] : undefined;
  if (!next) throw new Error(`JSON diff path ${path} does not exist in the before image`);
  return next;
}

function applyOne(doc: JsonNode, op: number, path: string, value: JsonNode | null): JsonNode {
  const legs = parseJsonPath(path);
  const last = legs.pop();
  if (!last) {
    if (op === REMOVE) throw new Error('JSON diff removes the whole document');
    return value as JsonNode;
  }
  let parent = doc;
  for (const leg of legs) parent = child(parent, leg, path);
  if ('key' in last) {
    if (parent.kind !== 'object') throw new Error(`JSON diff path ${path} names a member of a non-object`);
    if (op === REMOVE) parent.members.delete(last.key);
    else parent.members.set(last.key, value as JsonNode);
  } else {
    if (parent.kind !== 'array') throw new Error(`JSON diff path ${path} names an element of a non-array`);
    if (op === REMOVE) parent.items.splice(last.index, 1);
    else if (op === REPLACE) parent.items[last.index] = value as JsonNode;
    else parent.items.splice(Math.min(last.index, parent.items.length), 0, value as JsonNode);
  }
  return doc;
}

/** A MySQL packed integer: [value, next position]. */
function packedInt(buf: Buffer, pos: number): [number, number] {
  const first = buf[pos] as number;
  if (first < 251) return [first, pos + 1];
  if (first === 252) return [buf.readUInt16LE(pos + 1), pos + 3];
  if (first === 253) return [buf.readUIntLE(pos + 1, 3), pos + 4];
  return [Number(buf.readBigUInt64LE(pos + 1)), pos + 9];
}

/** The text MySQL prints for `base` (binary JSON) after the diff vector `diff` is applied to it. */
export function applyJsonDiff(base: Buffer, diff: Buffer): string {
  let doc = parseDocument(base);
  let pos = 0;
  try {
    while (pos < diff.length) {
      const op = diff[pos++] as number;
      if (op !== REPLACE && op !== INSERT && op !== REMOVE) throw new Error(`JSON diff has an unknown operation ${op}`);
      const [pathLen, pathStart] = packedInt(diff, pos);
      const path = diff.toString('utf8', pathStart, pathStart + pathLen);
      pos = pathStart + pathLen;
      let value: JsonNode | null = null;
      if (op !== REMOVE) {
        const [valueLen, valueStart] = packedInt(diff, pos);
        value = parseDocument(diff.subarray(valueStart, valueStart + valueLen));
        pos = valueStart + valueLen;
      }
      doc = applyOne(doc, op, path, value);
    }
  } catch (e) {
    throw new SourceError(`A partial JSON update in the binlog could not be applied to its before image (${(e as Error).message}): set binlog_row_value_options='' on the source and take a new snapshot (move the state directory away and run again).`, { cause: e });
  }
  return render(doc);
}
