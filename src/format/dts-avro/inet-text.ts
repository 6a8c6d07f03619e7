/**
 * MariaDB's INET6, INET4 and UUID values (fixed-width binary in rows and in the binlog) as the server prints
 * them, so a binlog row encodes like the snapshot's text. INET6 follows the server's own formatter (shared by
 * MySQL's INET6_NTOA and MariaDB's Inet6::to_string), which is not RFC 5952: the longest run of zero groups is
 * compressed even when it is a single group ("1::2:3:4:5:6:7"), the first run wins a tie, and an address whose
 * first six groups are zero (IPv4-compatible, "::1.2.3.4") or five zero groups then ffff (IPv4-mapped) ends
 * in dotted form — but "::2" stays hex, its zero run being seven groups long. UUIDs arrive in text byte order.
 */

export function inet4Text(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

export function inet6Text(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((b[i] as number) << 8) | (b[i + 1] as number));
  let gapPos = -1;
  let gapLen = -1;
  let runPos = -1;
  let runLen = 0;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && words[i] === 0) {
      if (runPos < 0) {
        runPos = i;
        runLen = 1;
      } else runLen++;
    } else if (runPos >= 0) {
      if (runLen > gapLen) {
        gapPos = runPos;
        gapLen = runLen;
      }
      runPos = -1;
      runLen = 0;
    }
  }
  if (gapPos === 0 && (gapLen === 6 || (gapLen === 5 && words[5] === 0xffff))) {
    return `::${gapLen === 5 ? 'ffff:' : ''}${inet4Text(b.subarray(12))}`;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === gapPos) {
      if (i === 0) out += ':';
      out += ':';
      i += gapLen - 1;
    } else {
      out += (words[i] as number).toString(16) + (i < 7 ? ':' : '');
    }
  }
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function uuidText(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[b[i] as number];
  }
  return s;
}
