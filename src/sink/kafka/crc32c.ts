/**
 * CRC32C (Castagnoli), slicing-by-8: eight table lookups per 8 input bytes instead of one per byte.
 * kafkajs' byte-at-a-time version cost 15 % of the main thread in a snapshot profile once the sink built
 * its own record batches (every batch is checksummed on the main thread when its producer fields are
 * stamped); this one is ~5x faster and gives the same values (test/unit/sink/crc32c.test.ts).
 */
const POLY = 0x82f63b78;

const TABLES: Int32Array[] = (() => {
  const t = Array.from({ length: 8 }, () => new Int32Array(256));
  const t0 = t[0] as Int32Array;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1;
    t0[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t0[n] as number;
    for (let k = 1; k < 8; k++) {
      c = (t0[c & 0xff] as number) ^ (c >>> 8);
      (t[k] as Int32Array)[n] = c;
    }
  }
  return t;
})();
const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];

/** CRC32C of `buf` (unsigned 32-bit). */
export function crc32c(buf: Uint8Array): number {
  let crc = -1;
  let i = 0;
  const n = buf.length;
  const end8 = n - (n & 7);
  for (; i < end8; i += 8) {
    const a = crc ^ ((buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24));
    crc =
      (T7[a & 0xff] as number) ^
      (T6[(a >>> 8) & 0xff] as number) ^
      (T5[(a >>> 16) & 0xff] as number) ^
      (T4[a >>> 24] as number) ^
      (T3[buf[i + 4] as number] as number) ^
      (T2[buf[i + 5] as number] as number) ^
      (T1[buf[i + 6] as number] as number) ^
      (T0[buf[i + 7] as number] as number);
  }
  for (; i < n; i++) crc = (T0[(crc ^ (buf[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
