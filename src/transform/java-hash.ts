/**
 * Java's `String.hashCode` and the partition rule of DESIGN §4, so any Java consumer (and DTS itself, which
 * is written in Java) computes the same partition for the same string.
 */

/** `s.hashCode()` as Java computes it: over UTF-16 code units (a surrogate pair counts twice), 32-bit wraparound. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    // Math.imul keeps the product in 32 bits exactly; `| 0` wraps the sum like Java's int addition.
    h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  }
  return h;
}

/** `s.hashCode()` of the string whose characters are the bytes b[0, length) (ASCII or latin1 text). */
export function javaBytesHashCode(b: Uint8Array, length: number): number {
  let h = 0;
  for (let i = 0; i < length; i++) h = (Math.imul(31, h) + (b[i] as number)) | 0;
  return h;
}

/**
 * `(h & 0x7fffffff) % n`: masking the sign bit (not Math.abs) keeps Integer.MIN_VALUE in range — Java's
 * Math.abs(Integer.MIN_VALUE) is still negative, the classic partitioner bug.
 */
export function partitionFor(hash: number, partitions: number): number {
  return (hash & 0x7fffffff) % partitions;
}
