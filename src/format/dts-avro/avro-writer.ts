/**
 * A minimal Avro binary writer over one reusable Buffer. avsc's generic `toBuffer` walks the schema per value
 * (DESIGN §2: ~4.5 µs per INSERT record with the mapping); this writer is driven by code that already knows
 * the schema, so a record costs only its bytes. Byte-identical to avsc (test/unit/format/avro-writer.test.ts).
 */
// Buffer's utf8Write is Node's internal fast path behind buf.write(); @types/node does not declare it.
type FastBuffer = Buffer & { utf8Write(s: string, offset: number, length?: number): number };

export class AvroWriter {
  private buf: FastBuffer;
  pos = 0;

  constructor(initialSize = 8192) {
    this.buf = Buffer.allocUnsafe(initialSize) as FastBuffer;
  }

  reset(): void {
    this.pos = 0;
  }

  /** A copy of the bytes written since the last reset (the scratch buffer is reused by the next record). */
  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  /** The bytes written since the last reset, without copying; valid until the next write. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + need) size *= 2;
    const next = Buffer.allocUnsafe(size) as FastBuffer;
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Avro int/long: zigzag varint. Exact for every safe integer (|n| < 2^53). */
  long(n: number): void {
    if (this.pos + 10 > this.buf.length) this.grow(10);
    const buf = this.buf;
    let pos = this.pos;
    if (n >= -0x40000000 && n < 0x40000000) {
      // 32-bit fast path: zigzag fits in an unsigned 31-bit value
      let z = (n << 1) ^ (n >> 31);
      z >>>= 0;
      while (z > 0x7f) {
        buf[pos++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
      buf[pos++] = z;
    } else {
      // The zigzag value 2m (+1 when negative) can reach 2^54 - 1, past a double's exact range, so its low
      // 7 bits are taken from m before the rest is shifted: m itself is exact for every safe integer.
      const m = n >= 0 ? n : -n - 1;
      let z = Math.floor(m / 64);
      const low = (m % 64) * 2 + (n >= 0 ? 0 : 1);
      buf[pos++] = z > 0 ? low | 0x80 : low;
      if (z > 0) {
        while (z >= 0x80) {
          buf[pos++] = (z % 0x80) | 0x80;
          z = Math.floor(z / 0x80);
        }
        buf[pos++] = z;
      }
    }
    this.pos = pos;
  }

  int(n: number): void {
    this.long(n);
  }

  double(d: number): void {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  string(s: string): void {
    const len = s.length;
    // A string of < 43 UTF-16 units is at most 126 UTF-8 bytes, so its zigzag length takes one byte when the
    // string is under 64 bytes and two when it is 64–126 bytes. Short ASCII (positions, tag keys, charsets,
    // numbers as text) is copied in JS: a native utf8Write call costs more than the copy (measured: string
    // writes were the largest self time of the encoder). Non-ASCII is written after a one-byte length slot and
    // moved on by one byte in the rare case its length needs a second byte.
    if (len < 43) {
      if (this.pos + 2 + len * 3 > this.buf.length) this.grow(2 + len * 3);
      const buf = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === len) {
        buf[this.pos] = len << 1;
        this.pos = start + len;
        return;
      }
      const written = buf.utf8Write(s, start);
      if (written < 64) {
        buf[this.pos] = written << 1;
        this.pos = start + written;
        return;
      }
      buf.copyWithin(start + 1, start, start + written);
      const z = written << 1; // 128..252: two varint bytes
      buf[this.pos] = (z & 0x7f) | 0x80;
      buf[this.pos + 1] = z >>> 7;
      this.pos = start + 1 + written;
      return;
    }
    const bytes = Buffer.byteLength(s, 'utf8');
    this.long(bytes);
    if (this.pos + bytes > this.buf.length) this.grow(bytes);
    this.buf.utf8Write(s, this.pos, bytes);
    this.pos += bytes;
  }

  bytes(b: Uint8Array): void {
    const len = b.length;
    this.long(len);
    if (this.pos + len > this.buf.length) this.grow(len);
    this.buf.set(b, this.pos);
    this.pos += len;
  }

  /**
   * Avro bytes/string of src[start, end) — a length then the bytes — without a view of the range: the
   * snapshot's fused encoder copies values straight out of a row packet.
   */
  bytesRange(src: Buffer, start: number, end: number): void {
    this.long(end - start);
    this.rawRange(src, start, end);
  }

  /** src[start, end) as it is. Short ranges are copied in JS (a native copy call costs more for them). */
  rawRange(src: Buffer, start: number, end: number): void {
    const len = end - start;
    if (this.pos + len > this.buf.length) this.grow(len);
    const buf = this.buf;
    let pos = this.pos;
    if (len < 32) {
      for (let i = start; i < end; i++) buf[pos++] = src[i] as number;
    } else {
      src.copy(buf, pos, start, end);
      pos += len;
    }
    this.pos = pos;
  }

  /** Rewinds to `pos` (a position this writer reported earlier), dropping what was written after it. */
  rewind(pos: number): void {
    this.pos = pos;
  }

  /** Pre-encoded Avro bytes (e.g. a table's constant `fields` array), copied as they are. */
  raw(b: Uint8Array): void {
    if (this.pos + b.length > this.buf.length) this.grow(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}
