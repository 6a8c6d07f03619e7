import type { z } from 'zod';

const SECRET_KEYS = new Set(['password', 'key']);

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const k of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[k];
  }
  return node;
}

function describeFound(value: unknown, secret: boolean): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (secret) return `a ${typeof value}`;
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 40 ? text.slice(0, 37) + '...' : text}`;
}

export function keyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

/** One zod issue as one line: the key path, what was expected, what was found. Never prints a secret's value. */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const at = keyPath(issue.path) || 'the job file';
  const secret = issue.path.some((k) => typeof k === 'string' && SECRET_KEYS.has(k));
  const found = valueAt(input, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${at === 'the job file' ? 'the top level' : at} has unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys
        .map((k) => `"${k}"`)
        .join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling.`;
    case 'invalid_type':
      if (found === undefined) return `${at} is required (expected ${issue.expected}) but is missing.`;
      return `${at}: expected ${issue.expected}, found ${describeFound(found, secret)}.`;
    case 'invalid_value':
      return `${at}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${describeFound(found, secret)}.`;
    case 'invalid_union':
      return `${at}: expected a string, { env: NAME } or { file: path }, found ${describeFound(found, secret)}.`;
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'custom':
    default:
      return `${at}: ${issue.message.replace(/^Invalid input: /, '')}${found !== undefined && typeof found !== 'object' ? `, found ${describeFound(found, secret)}` : ''}.`;
  }
}
