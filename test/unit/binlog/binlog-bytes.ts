/** Hand-built binlog bytes for the gate and payload tests. */

/** One binlog event: the 19-byte common header (end position `nextPosition`) and `body`. */
export function binlogEvent(typeCode: number, body: Buffer, nextPosition = 0, flags = 0): Buffer {
  const h = Buffer.alloc(19);
  h.writeUInt32LE(1_700_000_000, 0);
  h[4] = typeCode;
  h.writeUInt32LE(1, 5);
  h.writeUInt32LE(19 + body.length, 9);
  h.writeUInt32LE(nextPosition, 13);
  h.writeUInt16LE(flags, 17);
  return Buffer.concat([h, body]);
}

/** A zstd frame holding `data` in one raw (stored) block: what a compressor emits for incompressible input. */
export function zstdRawFrame(data: Buffer): Buffer {
  if (data.length > 255) throw new Error('test frames hold at most 255 bytes');
  const blockHeader = 1 | (0 << 1) | (data.length << 3);
  return Buffer.concat([
    Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, data.length]),
    Buffer.from([blockHeader & 0xff, (blockHeader >> 8) & 0xff, (blockHeader >> 16) & 0xff]),
    data,
  ]);
}

/** A TRANSACTION_PAYLOAD_EVENT body: header fields (size, compression, uncompressed size), end mark, payload. */
export function payloadBody(compressed: Buffer, compression: number, uncompressedSize: number): Buffer {
  const packed = (n: number) => (n < 251 ? Buffer.from([n]) : Buffer.from([252, n & 0xff, n >> 8]));
  const field = (type: number, value: number) => {
    const v = packed(value);
    return Buffer.concat([packed(type), packed(v.length), v]);
  };
  return Buffer.concat([field(1, compressed.length), field(2, compression), field(3, uncompressedSize), Buffer.from([0]), compressed]);
}

/** A column of a hand-built table map entry (zongji's shape, after zongji-raw.ts re-typing). */
export interface TestColumn {
  name: string;
  type: number;
  metadata: Record<string, unknown>;
  columnType: string;
}

/** A rows event body (v2 layout): table id, flags, no extra data, column count, present bitmap(s), the images. */
export function rowsBody(tableId: number, columns: number, images: Buffer[], update = false, present: number[] = []): Buffer {
  const head = Buffer.alloc(10);
  head.writeUIntLE(tableId, 0, 6);
  head.writeUInt16LE(1, 6); // STMT_END_F
  head.writeUInt16LE(2, 8); // extra data: just its own length
  const bitmapBytes = (columns + 7) >> 3;
  const bitmap = Buffer.alloc(bitmapBytes, 0xff);
  if (present.length) {
    bitmap.fill(0);
    for (const i of present) bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return Buffer.concat([head, Buffer.from([columns]), bitmap, ...(update ? [bitmap] : []), ...images]);
}

/** One row image: null bitmap (one bit per present column) then each non-null value's bytes. */
export function rowImage(values: Array<Buffer | null>): Buffer {
  const nulls = Buffer.alloc((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v === null) nulls[i >> 3]! |= 1 << (i & 7);
  });
  return Buffer.concat([nulls, ...values.filter((v): v is Buffer => v !== null)]);
}

export const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};
/** a length-prefixed value (prefix of `prefix` bytes, little-endian) */
export const prefixed = (bytes: Buffer, prefix: number): Buffer => {
  const p = Buffer.alloc(prefix);
  p.writeUIntLE(bytes.length, 0, prefix);
  return Buffer.concat([p, bytes]);
};
