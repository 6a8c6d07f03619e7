/**
 * MySQL's packed integer (net_field_length) as binlog event bodies use it for column counts: one byte below
 * 251, else a marker (252: 2 bytes, 253: 3 bytes, 254: 8 bytes) and the little-endian value.
 */
export function readPackedInt(buf: Buffer, pos: number): { value: number; next: number } {
  const first = buf[pos] as number;
  if (first < 251) return { value: first, next: pos + 1 };
  if (first === 252) return { value: buf.readUInt16LE(pos + 1), next: pos + 3 };
  if (first === 253) return { value: buf.readUIntLE(pos + 1, 3), next: pos + 4 };
  if (first === 254) return { value: Number(buf.readBigUInt64LE(pos + 1)), next: pos + 9 };
  throw new Error(`packed integer with marker ${first}`);
}
