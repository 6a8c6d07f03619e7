/**
 * Tokens of the filter language. Anything outside it (`;`, comments, double quotes, backslash escapes, hex
 * literals, operators like `||`) is refused here with its position, so nothing unvetted reaches the SQL
 * renderer.
 */
import { FILTER_GRAMMAR_HINT, FilterError } from './errors.js';

export type Token =
  | { kind: 'word'; text: string; upper: string; pos: number } // bare identifier or keyword
  | { kind: 'quoted'; text: string; pos: number } // `backquoted identifier`
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; text: string; numKind: 'int' | 'decimal' | 'double'; pos: number }
  | { kind: 'op'; text: '=' | '<>' | '<' | '>' | '<=' | '>='; pos: number }
  | { kind: 'punct'; text: '(' | ')' | ',' | '+' | '-'; pos: number }
  | { kind: 'end'; pos: number };

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordStart = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 0x80;
const isWordPart = (c: number): boolean => isWordStart(c) || isDigit(c);

function describe(ch: string): string {
  return ch === "'" ? '"\'"' : `'${ch}'`;
}

export function tokenize(text: string, where: string): Token[] {
  const fail = (pos: number, detail: string): never => {
    throw new FilterError(where, text, pos + 1, detail);
  };
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) { i++; continue; }
    const start = i;
    if (c === 39 /* ' */) {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) fail(start, `unterminated string starting at column ${start + 1}; close it with ' (write '' for a quote inside it)`);
        const d = text.charCodeAt(i);
        if (d === 39) {
          if (text.charCodeAt(i + 1) === 39) { value += "'"; i += 2; continue; }
          i++;
          break;
        }
        if (d === 92 /* \ */) {
          // MySQL reads \ as an escape unless NO_BACKSLASH_ESCAPES is set, so its meaning depends on the
          // server's sql_mode; refusing it keeps the filter's meaning the same everywhere.
          fail(i, `backslash at column ${i + 1} inside a string is not supported (its meaning depends on the server's sql_mode); write '' for a quote`);
        }
        value += text[i];
        i++;
      }
      out.push({ kind: 'string', value, pos: start + 1 });
      continue;
    }
    if (c === 96 /* ` */) {
      let name = '';
      i++;
      for (;;) {
        if (i >= n) fail(start, `unterminated \`identifier\` starting at column ${start + 1}; close it with \``);
        if (text.charCodeAt(i) === 96) {
          if (text.charCodeAt(i + 1) === 96) { name += '`'; i += 2; continue; }
          i++;
          break;
        }
        name += text[i];
        i++;
      }
      if (name === '') fail(start, `empty \`\` identifier at column ${start + 1}; put the column name between the backquotes`);
      out.push({ kind: 'quoted', text: name, pos: start + 1 });
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let kind: 'int' | 'decimal' | 'double' = 'int';
      while (isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 46) {
        kind = 'decimal';
        i++;
        while (isDigit(text.charCodeAt(i))) i++;
      }
      const e = text.charCodeAt(i);
      if (e === 101 || e === 69) {
        let j = i + 1;
        const s = text.charCodeAt(j);
        if (s === 43 || s === 45) j++;
        if (isDigit(text.charCodeAt(j))) {
          while (isDigit(text.charCodeAt(j))) j++;
          i = j;
          kind = 'double';
        }
      }
      if (i < n && (isWordPart(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) {
        let j = i;
        while (j < n && (isWordPart(text.charCodeAt(j)) || text.charCodeAt(j) === 46)) j++;
        fail(start, `'${text.slice(start, j)}' at column ${start + 1} is not a number (hex, binary and other literals are not supported; quote strings with ')`);
      }
      out.push({ kind: 'number', text: text.slice(start, i), numKind: kind, pos: start + 1 });
      continue;
    }
    if (isWordStart(c)) {
      while (i < n && isWordPart(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      out.push({ kind: 'word', text: word, upper: word.toUpperCase(), pos: start + 1 });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '<>' || two === '!=' || two === '<=' || two === '>=') {
      if (text.slice(i, i + 3) === '<=>') fail(i, `'<=>' at column ${i + 1} is not supported; use IS NULL or = — ${FILTER_GRAMMAR_HINT}`);
      out.push({ kind: 'op', text: two === '!=' ? '<>' : two, pos: start + 1 });
      i += 2;
      continue;
    }
    const ch = text[i]!;
    if (ch === '=' || ch === '<' || ch === '>') {
      if (two === '==') fail(i, `'==' at column ${i + 1} is not SQL; write = — ${FILTER_GRAMMAR_HINT}`);
      out.push({ kind: 'op', text: ch, pos: start + 1 });
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',' || ch === '+' || ch === '-') {
      if (two === '--') fail(i, `'--' at column ${i + 1} starts a comment, which filters do not accept — ${FILTER_GRAMMAR_HINT}`);
      out.push({ kind: 'punct', text: ch, pos: start + 1 });
      i++;
      continue;
    }
    if (ch === '"') fail(i, `double quote at column ${i + 1}: write strings in single quotes and column names in backquotes`);
    const cp = String.fromCodePoint(text.codePointAt(i)!);
    fail(i, `unexpected ${describe(cp)} at column ${i + 1} — ${FILTER_GRAMMAR_HINT}`);
  }
  out.push({ kind: 'end', pos: n + 1 });
  return out;
}
