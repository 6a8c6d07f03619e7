/**
 * The two ways DTS consumers read a record's image values, transcribed from their code, so a test can hold
 * sluice's records to both without a JVM:
 *
 * (a) the DTS demo (LioRoger/subscribe_example, javaimpl/src/main/java/recordprocessor/mysql/MysqlFieldConverter.java
 *     @89997e3): `DATA_ADAPTER[field.getDataTypeNumber()]` (L14) picks an adapter by the field's number, and the
 *     adapter casts the union value to one class (a wrong class is a ClassCastException, a number with no adapter
 *     a NullPointerException). The value reaches the user as FieldValue{bytes, encoding}; FieldValue.toString
 *     (recordprocessor/FieldValue.java @925cc89 L25-48) decodes with `new String(bytes, encoding)` ("utf8mb4"
 *     becomes "utf8") and, for a name Java does not know, JDKEncodingMapper (mysql/JDKEncodingMapper.java
 *     @45bb6d6 L8-48), else throws "Unsupported encoding".
 * (b) Alibaba's subscribe SDK (aliyun/aliyun-dts-subscribe-sdk-java,
 *     message/src/main/java/com/aliyun/dts/subscribe/clients/formats/avro/DefaultValueDeserializer.java @824abf9):
 *     an instanceof chain over the union class (L13-85); BinaryObject and TextObject types go through
 *     `ObjectType.valueOf(type.toUpperCase())` (L29, L58), which throws for a name outside the enum
 *     (src/main/java/com/aliyun/dts/subscribe/clients/record/value/ObjectType.java @85c0d73 L5); Character becomes
 *     StringValue, whose toString (record/value/StringValue.java @52c9fcc L43-60) tries `new String(bytes, charset)`
 *     and then JDKCharsetMapper (src/main/java/com/aliyun/dts/subscribe/clients/common/JDKCharsetMapper.java
 *     @c27e24e L8-50, the version that added utf8mb3), and prints `charset_'hex'` when both fail.
 *
 * Each consumer's reading is rendered as text and compared with the server's own text of the value (see
 * `ServerText`). A difference is a failure, except the ones listed as `quirk` (the consumer misreads real DTS
 * data the same way; sluice cannot change that without writing something DTS does not).
 */
import type { DtsValue } from '../../src/format/dts-avro/types.js';

export type UnionClass = Exclude<DtsValue, null>['kind'];

/**
 * The demo's DATA_ADAPTER table (MysqlFieldConverter.java L21-56): number → the class its adapter casts to.
 * 6 is UTF8StringEncodeAdapter, which casts to String (L66-77): no union member of the DTS schema is a bare
 * string inside images, so it can read nothing.
 */
export const DEMO_ADAPTER_CLASS: ReadonlyMap<number, UnionClass | 'String'> = new Map<number, UnionClass | 'String'>([
  [0, 'Decimal'], // L21 DecimalStringAdapter, cast L95
  [1, 'Integer'], // L22-24 NumberStringAdapter, cast L83
  [2, 'Integer'],
  [3, 'Integer'],
  [4, 'Float'], // L26-27 DoubleStringAdapter, cast L107
  [5, 'Float'],
  [6, 'String'], // L29
  [7, 'Timestamp'], // L31 TimestampStringAdapter, cast L124
  [8, 'Integer'], // L32-33
  [9, 'Integer'],
  [10, 'DateTime'], // L35-39 Date/Time/DateTime/Year adapters
  [11, 'DateTime'],
  [12, 'DateTime'],
  [13, 'DateTime'],
  [14, 'DateTime'],
  [15, 'Character'], // L40 CharacterAdapter
  [16, 'Integer'], // L41 BIT → NumberStringAdapter
  [255, 'BinaryGeometry'], // L43 GeometryAdapter
  [254, 'Character'], // L44
  [253, 'Character'], // L45
  [252, 'BinaryObject'], // L47-50 BinaryAdapter
  [251, 'BinaryObject'],
  [250, 'BinaryObject'],
  [249, 'BinaryObject'],
  [246, 'Decimal'], // L52
  [248, 'TextObject'], // L54-56 TextObjectAdapter
  [247, 'TextObject'],
  [245, 'TextObject'],
]);

/** The MySQL names JDKEncodingMapper.java (demo, L8-48) maps; note: no utf8mb3. */
export const DEMO_CHARSET_NAMES: ReadonlySet<string> = new Set([
  'armscii8', 'ascii', 'big5', 'binary', 'cp1250', 'cp1251', 'cp1256', 'cp1257', 'cp850', 'cp852', 'cp866', 'cp932',
  'dec8', 'eucjpms', 'euckr', 'gb2312', 'gbk', 'geostd8', 'greek', 'hebrew', 'hp8', 'keybcs2', 'koi8r', 'koi8u',
  'latin1', 'latin2', 'latin5', 'latin7', 'macce', 'macroman', 'sjis', 'swe7', 'tis620', 'ujis', 'utf16', 'utf16le',
  'utf32', 'utf8', 'utf8mb4', 'ucs2',
]);

/** The SDK's JDKCharsetMapper (@c27e24e L8-50): the demo's names plus utf8mb3. */
export const SDK_CHARSET_NAMES: ReadonlySet<string> = new Set([...DEMO_CHARSET_NAMES, 'utf8mb3']);

/** ObjectType.java (@85c0d73 L5): what ObjectType.valueOf accepts for BinaryObject/TextObject types. */
export const SDK_OBJECT_TYPES: ReadonlySet<string> = new Set([
  'BINARY', 'BOOL', 'BLOB', 'XML', 'JSON', 'TEXT', 'BFILE', 'RAW', 'LONG_RAW', 'ROWID', 'UROWID', 'ENUM', 'SET', 'BYTEA',
  'GEOMETRY', 'XTYPE', 'UUID',
]);

/**
 * How Java's `new String(bytes, name)` treats the names involved (java.nio.charset aliases, case-insensitive):
 * the decoder it ends up with, or undefined when Java throws UnsupportedEncodingException. Java's "latin1" is
 * an alias of ISO-8859-1, not cp1252 — MySQL's latin1 — so 0x80-0x9F read differently (the `quirk` below).
 */
const JAVA_CHARSETS: Readonly<Record<string, JavaDecoder>> = {
  'utf8': 'utf-8', 'utf-8': 'utf-8', 'ascii': 'us-ascii', 'us-ascii': 'us-ascii', 'latin1': 'iso-8859-1',
  'iso-8859-1': 'iso-8859-1', 'iso8859_1': 'iso-8859-1', 'gbk': 'gbk', 'cp1252': 'windows-1252', 'windows-1252': 'windows-1252',
  'utf-16': 'utf-16be', 'utf-16le': 'utf-16le', 'gb2312': 'gbk', 'euc_cn': 'gbk',
};
type JavaDecoder = 'utf-8' | 'us-ascii' | 'iso-8859-1' | 'gbk' | 'windows-1252' | 'utf-16be' | 'utf-16le';

/** The Java names the two mappers give (the subset this model decodes). */
const MAPPED: Readonly<Record<string, string>> = {
  ascii: 'US-ASCII', binary: 'ISO-8859-1', gbk: 'GBK', latin1: 'Cp1252', utf8: 'UTF-8', utf8mb4: 'UTF-8', utf8mb3: 'UTF-8', gb2312: 'GB2312',
  utf16: 'UTF-16', utf16le: 'UTF-16LE',
};

function javaDecode(bytes: Uint8Array, decoder: JavaDecoder): string {
  if (decoder === 'iso-8859-1') return Buffer.from(bytes).toString('latin1');
  if (decoder === 'us-ascii') return Array.from(bytes, (b) => (b < 0x80 ? String.fromCharCode(b) : '\ufffd')).join('');
  return new TextDecoder(decoder).decode(bytes);
}

function javaCharset(name: string): JavaDecoder | undefined {
  return JAVA_CHARSETS[name.toLowerCase()];
}

/** FieldValue.toString (demo FieldValue.java L25-48). */
function demoDecode(bytes: Uint8Array, encoding: string): string {
  const direct = javaCharset(encoding === 'utf8mb4' ? 'utf8' : encoding);
  if (direct) return javaDecode(bytes, direct);
  if (!DEMO_CHARSET_NAMES.has(encoding)) throw new Error(`demo: RuntimeException "Unsupported encoding: ${encoding}" (JDKEncodingMapper has no ${encoding})`);
  const mapped = javaCharset(MAPPED[encoding] ?? '');
  if (!mapped) throw new Error(`dispatch model: no decoder for the demo's mapping of ${encoding}`);
  return javaDecode(bytes, mapped);
}

/** StringValue.toString (SDK StringValue.java L43-60). */
function sdkDecode(bytes: Uint8Array, charset: string): string {
  if (charset === '') return Buffer.from(bytes).toString('hex');
  const direct = javaCharset(charset);
  if (direct) return javaDecode(bytes, direct);
  const mapped = SDK_CHARSET_NAMES.has(charset) ? javaCharset(MAPPED[charset] ?? '') : undefined;
  if (!mapped) return `${charset}_'${Buffer.from(bytes).toString('hex')}'`;
  return javaDecode(bytes, mapped);
}

/**
 * The server's text of one value, as the test selects it: `text` (CAST … AS CHAR / CONVERT … USING utf8mb4,
 * FLOAT widened to DOUBLE, TIMESTAMP as UNIX_TIMESTAMP), `hex` (HEX() of the stored bytes, ST_AsWKB for
 * geometry) where the value is bytes. null = SQL NULL.
 */
export interface ServerText {
  readonly text: string | null;
  readonly hex: string | null;
  /** the column's MySQL charset (null for non-text) */
  readonly charset: string | null;
  readonly dataType: string;
}

/** What a consumer made of one value: its text (or hex of its bytes) to compare with the server's. */
export type Reading =
  | { readonly as: 'null' }
  | { readonly as: 'text'; readonly text: string }
  | { readonly as: 'bytes'; readonly hex: string }
  | { readonly as: 'number'; readonly value: number }
  | { readonly as: 'decimal'; readonly value: string }
  | { readonly as: 'epoch'; readonly seconds: number; readonly micros: number }
  | { readonly as: 'temporal'; readonly text: string };

export interface Problem {
  readonly consumer: 'demo' | 'sdk';
  readonly column: string;
  readonly message: string;
  /** a difference the consumer shows on real DTS data too (Java's latin1 is ISO-8859-1) */
  readonly quirk?: boolean;
}

function pad(n: number, w: number): string {
  return String(Math.abs(n)).padStart(w, '0');
}

/** The demo's DateTime adapters (MysqlFieldConverter.java L138-307), by field number. */
function demoTemporal(v: Extract<DtsValue, { kind: 'DateTime' }>, n: number): string {
  const y = v.year ?? 0, mo = v.month ?? 0, d = v.day ?? 0;
  let h = v.hour ?? 0, mi = v.minute ?? 0, s = v.second ?? 0, us = v.millis ?? 0;
  const micros = (x: number) => (x === 0 ? '' : '.' + pad(x, 6));
  const date = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}`;
  if (n === 10) return date;
  if (n === 13) return String(y); // YearAdapter: Integer.toString(year)
  if (n === 12 || n === 14) return `${date} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${micros(us)}`;
  // TimeAdapter L206-250: negative → '-' then the negated parts; hours ≥ 100 get one more digit
  let sign = '';
  if (h <= -100 || h >= 100 || h < 0 || mi < 0 || s < 0 || us < 0) {
    if (h <= 0 && (h < 0 || mi < 0 || s < 0 || us < 0)) {
      h = -h; mi = -mi; s = -s; us = -us;
      sign = '-';
    }
  }
  const hours = h >= 100 ? String(Math.floor(h / 100)) + pad(h % 100, 2) : pad(h, 2);
  return `${sign}${hours}:${pad(mi, 2)}:${pad(s, 2)}${micros(us)}`;
}

/** SDK DateTime.toJdbcString(segments, trimTrailingZero = true) (record/value/DateTime.java @eca8b1c). */
function sdkTemporal(v: Extract<DtsValue, { kind: 'DateTime' }>): string {
  let out = '';
  let negative = false;
  const part = (x: number) => {
    if (x < 0) negative = true;
    return Math.abs(x);
  };
  if (v.year !== null) out += pad(part(v.year), 4);
  if (v.month !== null) out += '-' + pad(part(v.month), 2);
  if (v.day !== null) out += (out.length > 0 ? '-' : '') + pad(part(v.day), 2);
  if (v.hour !== null) {
    out += (out.length > 0 ? ' ' : '') + pad(part(v.hour), 2) + ':' + pad(part(v.minute ?? 0), 2) + ':' + pad(part(v.second ?? 0), 2);
  }
  if (v.millis !== null) {
    // deserialize(DateTime) sets naons = millis * 1000 (DefaultValueDeserializer.java L113)
    const nanos = part(v.millis) * 1000;
    if (nanos !== 0) out += '.' + String(nanos).padStart(9, '0').replace(/0+$/, '');
  }
  return negative ? '-' + out : out;
}

/** The demo's reading of one value under field number `n`, or the exception it would throw. */
export function demoRead(n: number, v: DtsValue): Reading {
  const cls = DEMO_ADAPTER_CLASS.get(n);
  if (cls === undefined) throw new Error(`demo: NullPointerException (DATA_ADAPTER[${n}] is null)`);
  if (v === null) return { as: 'null' };
  if (v.kind !== cls) throw new Error(`demo: ClassCastException (adapter of ${n} casts to ${cls}, value is ${v.kind})`);
  switch (v.kind) {
    case 'Integer':
      return { as: 'text', text: v.value };
    case 'Decimal':
      return { as: 'decimal', value: v.value };
    case 'Float':
      return { as: 'number', value: v.value };
    case 'Timestamp':
      return { as: 'epoch', seconds: v.timestamp, micros: v.millis };
    case 'DateTime':
      return { as: 'temporal', text: demoTemporal(v, n) };
    case 'Character':
      return { as: 'text', text: demoDecode(v.value, v.charset) };
    case 'BinaryGeometry':
    case 'BinaryObject':
      // no encoding: the user gets the bytes (FieldValue.getValue)
      return { as: 'bytes', hex: Buffer.from(v.value).toString('hex') };
    case 'TextObject':
      return { as: 'text', text: v.value };
    default:
      throw new Error(`demo: no adapter reads ${v.kind}`);
  }
}

/** The SDK's reading of one value (by class; the field number is not looked at). */
export function sdkRead(v: DtsValue): Reading {
  if (v === null) return { as: 'null' };
  switch (v.kind) {
    case 'Integer':
      return { as: 'text', text: BigInt(v.value).toString() }; // IntegerNumeric(new BigInteger(value))
    case 'Character':
      return { as: 'text', text: sdkDecode(v.value, v.charset) };
    case 'TextObject':
      if (!SDK_OBJECT_TYPES.has(v.type.toUpperCase())) throw new Error(`sdk: IllegalArgumentException (ObjectType.valueOf("${v.type}"))`);
      return { as: 'text', text: v.value };
    case 'Timestamp':
      return { as: 'epoch', seconds: v.timestamp, micros: v.millis };
    case 'DateTime':
      return { as: 'temporal', text: sdkTemporal(v) };
    case 'BinaryObject':
      if (!SDK_OBJECT_TYPES.has(v.type.toUpperCase())) throw new Error(`sdk: IllegalArgumentException (ObjectType.valueOf("${v.type}"))`);
      return { as: 'bytes', hex: Buffer.from(v.value).toString('hex') }; // BinaryEncodingObject.toString: hex
    case 'Float':
      return { as: 'number', value: v.value };
    case 'Decimal':
      // DecimalNumeric holds new BigDecimal(value): compared by value (its toString may use E notation)
      return { as: 'decimal', value: v.value };
    case 'BinaryGeometry':
      // WKBGeometry(value): the WKB bytes (toString renders them as WKT through JTS)
      return { as: 'bytes', hex: Buffer.from(v.value).toString('hex') };
    case 'EmptyObject':
      if (v.value === 'NONE') return { as: 'null' };
      throw new Error('sdk: RuntimeException "Not support avro class type" (EmptyObject NULL)');
    default:
      throw new Error(`sdk: RuntimeException "Not support avro class type" (${v.kind})`);
  }
}

/** An exact decimal string in a canonical form (sign, no leading/trailing zeros) for value comparison. */
function canonicalDecimal(s: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s.trim());
  if (!m) return s;
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let exp = Number(m[4] ?? 0) - (m[3] ?? '').length;
  digits = digits.replace(/^0+/, '');
  if (digits === '') return '0';
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exp++;
  }
  return `${m[1] === '-' ? '-' : ''}${digits}e${exp}`;
}

/** Temporal text with the fraction's trailing zeros dropped ('12:00:00.500' → '12:00:00.5', '.000' → ''). */
function trimFraction(s: string): string {
  return s.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

function parseEpoch(s: string): { seconds: number; micros: number } {
  const [sec, frac = ''] = s.split('.');
  return { seconds: Number(sec), micros: Number((frac + '000000').slice(0, 6)) };
}

/** Compares a reading with the server's text; returns null when they agree, else what differs. */
export function compareReading(r: Reading, server: ServerText): { message: string; quirk: boolean } | null {
  const want = server.text;
  const differ = (got: string, exp: string | null) => ({ message: `reads ${JSON.stringify(got)}, the server shows ${JSON.stringify(exp)}`, quirk: false });
  if (r.as === 'null') return want === null && server.hex === null ? null : differ('NULL', want ?? server.hex);
  if (want === null && server.hex === null) return differ(JSON.stringify(r), null);
  switch (r.as) {
    case 'bytes':
      return r.hex === (server.hex ?? '').toLowerCase() ? null : differ(`0x${r.hex}`, `0x${(server.hex ?? '').toLowerCase()}`);
    case 'number':
      // FLOAT: MySQL prints a double with at most 16 significant digits, so its text of CAST(f AS DOUBLE) is
      // the float32 value only once rounded back to float32
      if (server.dataType === 'float') return Math.fround(r.value) === Math.fround(Number(want)) && r.value === Math.fround(r.value) ? null : differ(String(r.value), want);
      return r.value === Number(want) ? null : differ(String(r.value), want);
    case 'decimal':
      return canonicalDecimal(r.value) === canonicalDecimal(want ?? '') ? null : differ(r.value, want);
    case 'epoch': {
      const e = parseEpoch(want ?? '');
      return e.seconds === r.seconds && e.micros === r.micros ? null : differ(`${r.seconds}.${pad(r.micros, 6)}`, want);
    }
    case 'temporal':
      if (server.dataType === 'year') return Number(r.text) === Number(want) ? null : differ(r.text, want);
      return trimFraction(r.text) === trimFraction(want ?? '') ? null : differ(r.text, want);
    case 'text': {
      if (server.charset === 'binary' || (want === null && server.hex !== null)) {
        // a binary string decoded as ISO-8859-1 (both mappers' "binary"): its bytes must be the stored bytes
        const hex = Buffer.from(r.text, 'latin1').toString('hex');
        return hex === (server.hex ?? '').toLowerCase() ? null : differ(`0x${hex}`, `0x${(server.hex ?? '').toLowerCase()}`);
      }
      if (r.text === want) return null;
      const d = differ(r.text, want);
      // Java's latin1 is ISO-8859-1: when the bytes are the stored ones, only 0x80-0x9F read differently
      if (server.charset === 'latin1' && server.hex !== null && Buffer.from(r.text, 'latin1').toString('hex') === server.hex.toLowerCase()) {
        return { ...d, quirk: true };
      }
      return d;
    }
  }
}

/** Holds one image value to both consumers: the problems found (empty when both read the server's value). */
export function checkValue(column: string, dataTypeNumber: number, v: DtsValue, server: ServerText): Problem[] {
  const out: Problem[] = [];
  for (const consumer of ['demo', 'sdk'] as const) {
    let r: Reading;
    try {
      r = consumer === 'demo' ? demoRead(dataTypeNumber, v) : sdkRead(v);
    } catch (e) {
      out.push({ consumer, column, message: (e as Error).message });
      continue;
    }
    const diff = compareReading(r, server);
    if (diff) out.push({ consumer, column, message: diff.message, ...(diff.quirk ? { quirk: true } : {}) });
  }
  return out;
}
