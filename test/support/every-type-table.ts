/**
 * The format issue's every-type table (issue 3): one column per MySQL type, and rows of edge values (maxima,
 * minima, zero dates, fractions, charsets, NULL in every column). Inserted by root with sql_mode='' and the
 * session time_zone +05:30 (the TIMESTAMP literals are local to it). Shared by the format's type-coverage test
 * and the binlog's fidelity test, so both check the same values.
 */
import type { DbService } from './services.js';

export const TABLE = 'all_types';

export function ddl(svc: DbService): string {
  // MariaDB's JSON is an alias of LONGTEXT (with a json_valid check): it is a Character column there
  return `CREATE TABLE ${TABLE} (
    id INT PRIMARY KEY,
    ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
    i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
    d65 DECIMAL(65,30), d52 DECIMAL(5,2), d10 DECIMAL(10,0),
    f FLOAT, db DOUBLE,
    b1 BIT(1), b10 BIT(10), b64 BIT(64),
    dd DATE, dt0 DATETIME, dt1 DATETIME(1), dt2 DATETIME(2), dt3 DATETIME(3), dt4 DATETIME(4), dt5 DATETIME(5), dt6 DATETIME(6),
    ts0 TIMESTAMP NULL DEFAULT NULL, ts1 TIMESTAMP(1) NULL DEFAULT NULL, ts3 TIMESTAMP(3) NULL DEFAULT NULL,
    ts4 TIMESTAMP(4) NULL DEFAULT NULL, ts6 TIMESTAMP(6) NULL DEFAULT NULL,
    tm TIME, tm1 TIME(1), tm3 TIME(3), tm4 TIME(4), tm6 TIME(6), yr YEAR,
    c_utf CHAR(10) CHARACTER SET utf8mb4, v_utf VARCHAR(50) CHARACTER SET utf8mb4, t_utf TEXT CHARACTER SET utf8mb4,
    c_lat CHAR(10) CHARACTER SET latin1, v_lat VARCHAR(50) CHARACTER SET latin1, t_lat TINYTEXT CHARACTER SET latin1,
    c_gbk CHAR(10) CHARACTER SET gbk, v_gbk VARCHAR(300) CHARACTER SET gbk, t_gbk MEDIUMTEXT CHARACTER SET gbk,
    bn BINARY(8), vb VARBINARY(20), tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,
    en ENUM('a','b','c'), st SET('x','y','z'),
    j JSON,
    g GEOMETRY, p POINT
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4${svc.flavor === 'mysql' ? '' : ''}`;
}

export const JSON_DOC =
  '{"b": 1, "10": 2, "a": [1.0, 1e2, 0.1, 1e21, 1.5e-7, 3.0e-5, 1e20, 123456789012345678901234, 9223372036854775807,' +
  ' 18446744073709551615, -9223372036854775808, 12345678901234567890], "s": "\\u0001\\u001f\\t\\"\\\\/é😀中", "n": null,' +
  ' "t": true, "f": false, "o": {"deep": {"deeper": [[], {}, ""]}}}';

export const COLS =
  'id, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, d65, d52, d10, f, db, b1, b10, b64, dd, dt0, dt1, dt2, dt3, dt4, dt5, dt6, ' +
  'ts0, ts1, ts3, ts4, ts6, tm, tm1, tm3, tm4, tm6, yr, c_utf, v_utf, t_utf, c_lat, v_lat, t_lat, c_gbk, v_gbk, t_gbk, ' +
  'bn, vb, tb, bl, mb, lb, en, st, j, g, p';

/** Row literals in COLS order. The session time_zone is +05:30, so TIMESTAMP literals are local to it. */
export const ROWS: string[] = [
  // maxima
  `1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615,
   '99999999999999999999999999999999999.999999999999999999999999999999', 999.99, 9999999999,
   3.4028234e38, 1.7976931348623157e308, b'1', b'1111111111', 0xFFFFFFFFFFFFFFFF,
   '9999-12-31', '9999-12-31 23:59:59', '9999-12-31 23:59:59.9', '9999-12-31 23:59:59.99', '9999-12-31 23:59:59.999',
   '9999-12-31 23:59:59.9999', '9999-12-31 23:59:59.99999', '9999-12-31 23:59:59.999999',
   '2038-01-19 08:44:07', '2038-01-19 08:44:07.9', '2038-01-19 08:44:07.999', '2038-01-19 08:44:07.9999', '2038-01-19 08:44:07.999999',
   '838:59:59', '838:59:59.9', '838:59:59.999', '838:59:59.9999', '838:59:59.999999', 2155,
   'emoji😀éz', 'ünïcødé 😀 中文 𝄞', REPEAT('长文本😀', 50),
   'café€', 'Ÿœ€‰ ÿ', CONCAT('latin1 ', X'818D8F909D', ' end'),
   '中文', '汉字测试ＡＢＣ', REPEAT('中文字符', 30),
   X'0102', X'00FF00FF', X'00', X'DEADBEEF00', REPEAT(X'AB', 300), REPEAT(X'CD', 70000),
   'c', 'x,z', '${JSON_DOC.replaceAll("'", "''").replaceAll('\\', '\\\\')}',
   ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0),(1 1,2 1,2 2,1 1))'), ST_GeomFromText('POINT(1.5 -2.25)')`,
  // minima and negatives
  `2, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,
   '-99999999999999999999999999999999999.999999999999999999999999999999', -999.99, -9999999999,
   -1.17549435e-38, -2.2250738585072014e-308, b'0', b'0', 0,
   '1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00.1', '1000-01-01 00:00:00.01', '1000-01-01 00:00:00.001',
   '1000-01-01 00:00:00.0001', '1000-01-01 00:00:00.00001', '1000-01-01 00:00:00.000001',
   '1970-01-01 05:30:01', '1970-01-01 05:30:01.1', '1970-01-01 05:30:01.001', '1970-01-01 05:30:01.0001', '1970-01-01 05:30:01.000001',
   '-838:59:59', '-838:59:58.9', '-00:00:01.5', '-00:00:00.0001', '-12:34:56.789012', 1901,
   '', '', '',
   '', '', '',
   '', '', '',
   X'', X'', X'', X'', X'', X'',
   'zz', '', '[]',
   ST_GeomFromText('POINT(0 0)'), ST_GeomFromText('POINT(-180 90)')`,
  // zero dates (permissive sql_mode), fractions, small values
  `3, 0, 1, -1, 1, 0, 1, 0, 1, 1, 9007199254740993,
   '0.000000000000000000000000000001', -0.5, 0,
   0.1, 0.1, b'1', b'101', 0x8000000000000001,
   '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '2024-02-29 12:34:56.123456',
   '2024-02-29 12:34:56.123456', '2024-02-29 12:34:56.123456', '2024-02-29 12:34:56.123456',
   '0000-00-00 00:00:00', '0000-00-00 00:00:00', '2024-02-29 12:34:56.123456', '2024-02-29 12:34:56.123456', '2024-02-29 12:34:56.123456',
   '00:00:00', '-00:00:00.5', '12:34:56.789', '100:00:00.0001', '-00:00:00.000001', '0000',
   'a  ', ' trailing ', 'tab\\there',
   'é', 'x', 'y',
   '啊', 'B', 'C',
   X'000000', X'0000', X'0000', X'00', X'01', X'02',
   'a', 'x,y,z', '{"k": [1, 2.5, "v"], "big": 1e308, "small": -2.2250738585072014e-308}',
   ST_GeomFromText('LINESTRING(0 0,1 1,2 4)'), ST_GeomFromText('POINT(3 4)')`,
  // NULL in every column
  `4${', NULL'.repeat(57)}`,
];

