/**
 * A text-protocol row value as the server sends it in a row packet: a length-coded string (1-, 3-, 4- or
 * 9-byte length prefix) or 0xfb for NULL. Shared by the fused snapshot encoder's unit test and its fuzzer.
 */
export function lengthCoded(v: Buffer | null): Buffer {
  if (v === null) return Buffer.from([0xfb]);
  const n = v.length;
  let prefix: Buffer;
  if (n < 251) prefix = Buffer.from([n]);
  else if (n < 0x10000) prefix = Buffer.from([0xfc, n & 0xff, n >> 8]);
  else if (n < 0x1000000) prefix = Buffer.from([0xfd, n & 0xff, (n >> 8) & 0xff, n >> 16]);
  else {
    prefix = Buffer.alloc(9);
    prefix[0] = 0xfe;
    prefix.writeUInt32LE(n, 1);
  }
  return Buffer.concat([prefix, v]);
}
