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
