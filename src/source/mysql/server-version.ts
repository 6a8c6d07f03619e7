/** A server's family and version, parsed once from `SELECT VERSION()`. */
export interface ServerVersion {
  flavor: 'mysql' | 'mariadb';
  major: number;
  minor: number;
  patch: number;
  /** what the server printed, e.g. "9.5.0" or "10.11.19-MariaDB-log" */
  text: string;
}

export function parseServerVersion(text: string): ServerVersion {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!m) throw new Error(`unrecognised server version "${text}"`);
  // MariaDB 10.x once reported "5.5.5-10.x.y-MariaDB" in the handshake; VERSION() gives the real one.
  const flavor = /mariadb/i.test(text) ? 'mariadb' : 'mysql';
  return { flavor, major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text };
}

/** version >= major.minor.patch */
export function atLeast(v: ServerVersion, major: number, minor = 0, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}
