/**
 * MySQL's TRANSACTION_PAYLOAD_EVENT (binlog_transaction_compression=ON, which any session may switch on): one
 * event holding a whole transaction's events (BEGIN, table maps, rows, XID; the GTID event stays outside),
 * compressed together. Layout (libs/mysql/binlog/event/compression, MySQL 8.0.20+): a header of fields, each
 * `type · length · value` as packed integers, ended by field type 0; then the compressed bytes to the end of
 * the event. The inner events are complete events (19-byte header, no checksum) laid end to end.
 */
import { decompress } from 'fzstd';

const FIELD_END = 0;
const FIELD_PAYLOAD_SIZE = 1;
const FIELD_COMPRESSION_TYPE = 2;
const FIELD_UNCOMPRESSED_SIZE = 3;

const COMPRESSION_ZSTD = 0;
const COMPRESSION_NONE = 255;

const EVENT_HEADER_BYTES = 19;

export interface InnerEvent {
  readonly typeCode: number;
  /** the whole inner event: header and body */
  readonly bytes: Buffer;
}

/** A MySQL packed integer (net_field_length_ll) at `pos`: [value, next position]. */
function packedInt(buf: Buffer, pos: number): [number, number] {
  const first = buf[pos];
  if (first === undefined) throw new Error('transaction payload header is truncated');
  if (first < 251) return [first, pos + 1];
  if (first === 252) return [buf.readUInt16LE(pos + 1), pos + 3];
  if (first === 253) return [buf.readUIntLE(pos + 1, 3), pos + 4];
  if (first === 254) return [Number(buf.readBigUInt64LE(pos + 1)), pos + 9];
  throw new Error(`transaction payload header has an invalid packed integer 0x${first.toString(16)}`);
}

/** Splits a TRANSACTION_PAYLOAD_EVENT body (after the common header, without checksum) into its inner events. */
export function innerEvents(body: Buffer): InnerEvent[] {
  let pos = 0;
  let compression = COMPRESSION_ZSTD;
  let payloadSize = -1;
  let uncompressedSize = -1;
  for (;;) {
    const [type, afterType] = packedInt(body, pos);
    pos = afterType;
    if (type === FIELD_END) break;
    const [length, afterLength] = packedInt(body, pos);
    const valueEnd = afterLength + length;
    if (valueEnd > body.length) throw new Error('transaction payload header field runs past the event');
    // every field MySQL defines is an integer; unknown fields are skipped by their length
    if (type === FIELD_PAYLOAD_SIZE) payloadSize = packedInt(body, afterLength)[0];
    else if (type === FIELD_COMPRESSION_TYPE) compression = packedInt(body, afterLength)[0];
    else if (type === FIELD_UNCOMPRESSED_SIZE) uncompressedSize = packedInt(body, afterLength)[0];
    pos = valueEnd;
  }
  const compressed = body.subarray(pos, payloadSize >= 0 ? pos + payloadSize : body.length);
  let raw: Buffer;
  if (compression === COMPRESSION_ZSTD) {
    const out = decompress(compressed);
    raw = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  } else if (compression === COMPRESSION_NONE) {
    raw = compressed;
  } else {
    throw new Error(`transaction payload uses compression type ${compression}, which sluice does not know`);
  }
  if (uncompressedSize >= 0 && raw.length !== uncompressedSize) {
    throw new Error(`transaction payload decompressed to ${raw.length} bytes, its header says ${uncompressedSize}`);
  }
  return splitEvents(raw);
}

/** Events laid end to end, each sized by its header's event_length. */
export function splitEvents(raw: Buffer): InnerEvent[] {
  const out: InnerEvent[] = [];
  let pos = 0;
  while (pos < raw.length) {
    if (pos + EVENT_HEADER_BYTES > raw.length) throw new Error('transaction payload ends inside an event header');
    const length = raw.readUInt32LE(pos + 9);
    if (length < EVENT_HEADER_BYTES || pos + length > raw.length) throw new Error(`transaction payload holds an event of invalid length ${length}`);
    out.push({ typeCode: raw[pos + 4] as number, bytes: raw.subarray(pos, pos + length) });
    pos += length;
  }
  return out;
}
