/**
 * A double as MySQL prints it inside JSON: my_gcvt (strings/dtoa.cc) with the shortest round-trip digits and
 * field width MY_GCVT_MAX_FIELD_WIDTH (34), then ".0" when the text looks like an integer. JS's own
 * formatting differs (1e20 vs 100000000000000000000, 100.0 vs 100, 0.00000015 vs 1.5e-7), so the binlog path
 * cannot use String(x) and still match what MySQL's SELECT returns for the same JSON value.
 */
const WIDTH = 34;
/** MAX_DECPT_FOR_F_FORMAT = DBL_DIG */
const MAX_DECPT_F = 15;

export function formatMysqlDouble(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return '0';
  const neg = x < 0;
  const e = Math.abs(x).toExponential(); // shortest round-trip digits, like dtoa mode 0
  const ePos = e.indexOf('e');
  const mantissa = e.slice(0, ePos);
  const digits = mantissa.replace('.', '');
  const len = digits.length;
  const decpt = Number(e.slice(ePos + 1)) + 1;
  const haveSpace = (decpt <= 0 ? len - decpt + 2 : decpt < len ? len + 1 : decpt) <= WIDTH;
  let out: string;
  if (haveSpace && decpt >= -MAX_DECPT_F + 1 && (decpt <= MAX_DECPT_F || len > decpt)) {
    if (decpt <= 0) out = '0.' + '0'.repeat(-decpt) + digits;
    else if (decpt < len) out = digits.slice(0, decpt) + '.' + digits.slice(decpt);
    else out = digits + '0'.repeat(decpt - len);
  } else {
    // 'e' format; with width 34 and at most 17 digits no truncation is ever needed
    const exp = decpt - 1;
    out = digits[0] + (len > 1 ? '.' + digits.slice(1) : '') + 'e' + (exp < 0 ? '-' : '') + Math.abs(exp);
  }
  return neg ? '-' + out : out;
}

/** The JSON text form of a double: integral-looking results get ".0" as MySQL's JSON printer adds. */
export function formatMysqlJsonDouble(x: number): string {
  const s = formatMysqlDouble(x);
  return s.includes('.') || s.includes('e') ? s : s + '.0';
}
