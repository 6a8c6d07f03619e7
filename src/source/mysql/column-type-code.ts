/**
 * MySQL's column type code (enum_field_types) for an information_schema DATA_TYPE, as the binlog's
 * table map carries it and DTS writes it in `fields[].dataTypeNumber` (DESIGN §3). ENUM and SET travel
 * in the binlog as STRING (254) with the real type in the metadata; DTS reports the real type.
 */
const CODES: Readonly<Record<string, number>> = {
  decimal: 246,
  numeric: 246,
  tinyint: 1,
  smallint: 2,
  int: 3,
  integer: 3,
  float: 4,
  double: 5,
  real: 5,
  timestamp: 7,
  bigint: 8,
  mediumint: 9,
  date: 10,
  time: 11,
  datetime: 12,
  year: 13,
  varchar: 15,
  varbinary: 15,
  bit: 16,
  json: 245,
  enum: 247,
  set: 248,
  tinyblob: 249,
  tinytext: 249,
  mediumblob: 250,
  mediumtext: 250,
  longblob: 251,
  longtext: 251,
  blob: 252,
  text: 252,
  char: 254,
  binary: 254,
  // MariaDB's INET6/UUID are fixed-length binary strings in the binlog.
  inet6: 254,
  uuid: 254,
  inet4: 254,
  geometry: 255,
  point: 255,
  linestring: 255,
  polygon: 255,
  multipoint: 255,
  multilinestring: 255,
  multipolygon: 255,
  geometrycollection: 255,
  geomcollection: 255,
  vector: 242,
};

export function columnTypeCode(dataType: string): number | undefined {
  return CODES[dataType.toLowerCase()];
}
