/**
 * Where MySQL and MariaDB compare differently, as data (STYLE: one small dialect per server family, no
 * `if (isMaria)` through the code). Both measured by the differential test (test/integration/transform):
 *   MySQL 9.7:  integer column vs DOUBLE literal compares exact values (`ubi = 1.8446744073709552e19` does not
 *               match 18446744073709551615); an IN list converts its strings/doubles to integers only when
 *               every item converts, else they compare as plain doubles.
 *   MariaDB 10.11: `=` converts an integral in-range DOUBLE literal to an integer (`bi = 9007199254740992e0`
 *               does not match 9007199254740993), but one it cannot convert compares as doubles
 *               (`ubi >= 1.8446744073709552e19` matches 18446744073709551615 and …614); an IN list converts its
 *               doubles only when it holds nothing else and all convert (`b IN (9007199254740992e0, 5e0)` is
 *               exact; `b IN (1, 9007199254740992e0)` and `ubi IN (1.8446744073709552e19, NULL,
 *               9007199254740993e0)` compare as doubles); a string meets an integer column, and a
 *               string column meets an integer/DECIMAL literal, as exact decimals (`b = '9007199254740992.5'`
 *               matches nothing, `'9007199254740993' = 9007199254740992` is false).
 */
export interface FilterDialect {
  readonly name: 'mysql' | 'mariadb';
  /** integer column vs a DOUBLE literal that is not converted: exact values, or both as doubles */
  readonly integerVsDouble: 'exact' | 'double';
  /**
   * IN lists on an integer column: 'all' — strings and doubles are converted to integers only if every item
   * converts, else all compare as plain doubles; 'doubles-only' — doubles are converted only in a list of
   * nothing but NULLs and doubles that all convert, else they compare as plain doubles.
   */
  readonly inListConversion: 'all' | 'doubles-only';
  /** a string against an integer column, or a string column against an integer/DECIMAL literal */
  readonly stringVsExact: 'double' | 'decimal';
}

export const MYSQL_DIALECT: FilterDialect = {
  name: 'mysql', integerVsDouble: 'exact', inListConversion: 'all', stringVsExact: 'double',
};

export const MARIADB_DIALECT: FilterDialect = {
  name: 'mariadb', integerVsDouble: 'double', inListConversion: 'doubles-only', stringVsExact: 'decimal',
};

/** The dialect for a server's VERSION() string ('10.11.19-MariaDB-…' → MariaDB). */
export function filterDialectFor(version: string): FilterDialect {
  return /mariadb/i.test(version) ? MARIADB_DIALECT : MYSQL_DIALECT;
}
