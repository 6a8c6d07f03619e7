/** How the filter evaluator treats a column, from information_schema's DATA_TYPE. */
import type { ColumnMeta } from '../../model/table.js';

export type ColumnClass =
  | 'int' // exact integers, signed or unsigned, BIGINT included (YEAR prints as an integer too)
  | 'decimal'
  | 'real' // FLOAT, DOUBLE
  | 'string' // CHAR, VARCHAR, TEXT types: compared under the column's collation
  | 'enum'
  | 'set'
  | 'date'
  | 'datetime' // DATETIME and TIMESTAMP (TIMESTAMP text is in the session time zone, as MySQL compares it)
  | 'time'
  | 'other'; // BINARY/BLOB, BIT, JSON, spatial: IS [NOT] NULL only

const CLASSES: Record<string, ColumnClass> = {
  tinyint: 'int', smallint: 'int', mediumint: 'int', int: 'int', integer: 'int', bigint: 'int', year: 'int',
  decimal: 'decimal', numeric: 'decimal',
  float: 'real', double: 'real', real: 'real',
  char: 'string', varchar: 'string', tinytext: 'string', text: 'string', mediumtext: 'string', longtext: 'string',
  enum: 'enum', set: 'set',
  date: 'date', datetime: 'datetime', timestamp: 'datetime', time: 'time',
};

export function columnClass(c: ColumnMeta): ColumnClass {
  const cls = CLASSES[c.dataType.toLowerCase()] ?? 'other';
  // CHAR/VARCHAR declared with the binary charset hold bytes, which the row text cannot carry faithfully.
  if ((cls === 'string' || cls === 'enum' || cls === 'set') && c.charset === 'binary') return 'other';
  return cls;
}
