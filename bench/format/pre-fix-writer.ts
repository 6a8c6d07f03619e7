/**
 * The AvroWriter string() of f3abe26^ (before the fix of the short non-ASCII length), kept only so
 * bench/format/writer-fix.bench.ts can measure what the fix costs against it in one process. It writes a wrong,
 * one-byte length for strings of < 43 UTF-16 units and 64–126 UTF-8 bytes: never use it to encode.
 */
import { AvroWriter } from '../../src/format/dts-avro/avro-writer.js';

type FastBuffer = Buffer & { utf8Write(s: string, offset: number, length?: number): number };
/** The writer's fields, private to TypeScript but plain properties at run time. */
interface WriterInternals {
  buf: FastBuffer;
  pos: number;
  grow(need: number): void;
}

export class PreFixWriter extends AvroWriter {
  override string(s: string): void {
    const self = this as unknown as WriterInternals;
    const len = s.length;
    if (len < 43) {
      if (self.pos + 1 + len * 3 > self.buf.length) self.grow(1 + len * 3);
      const buf = self.buf;
      const start = self.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      const written = i === len ? len : buf.utf8Write(s, start);
      buf[self.pos] = written << 1;
      self.pos = start + written;
      return;
    }
    const bytes = Buffer.byteLength(s, 'utf8');
    this.long(bytes);
    if (self.pos + bytes > self.buf.length) self.grow(bytes);
    self.buf.utf8Write(s, self.pos, bytes);
    self.pos += bytes;
  }
}

/** The writer as it is now, through the same subclass depth so both calls sites see the same shapes. */
export class CurrentWriter extends AvroWriter {}
