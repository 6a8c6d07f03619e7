/**
 * Name patterns of the job's `objects`: `*` matches any run of characters (also none), `?` exactly one;
 * everything else is literal. Matching is case-sensitive, as table names are on Linux servers with the default
 * lower_case_table_names=0.
 */
export interface NamePattern {
  readonly text: string;
  readonly isGlob: boolean;
  matches(name: string): boolean;
}

export function compileNamePattern(text: string): NamePattern {
  const isGlob = /[*?]/.test(text);
  if (!isGlob) return { text, isGlob, matches: (name) => name === text };
  let source = '^';
  for (const ch of text) {
    if (ch === '*') source += '[\\s\\S]*';
    else if (ch === '?') source += '[\\s\\S]';
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  // 'u' so that `?` matches one character even outside the BMP (a table name may hold an emoji).
  const re = new RegExp(source + '$', 'u');
  return { text, isGlob, matches: (name) => re.test(name) };
}
