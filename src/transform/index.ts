/**
 * src/transform: what the snapshot and binlog paths share between reading a row and encoding it —
 * which tables a job syncs (object selection), where each record goes (partition and message key), and
 * whether a row passes the table's WHERE filter.
 */
export { javaBytesHashCode, javaStringHashCode, partitionFor } from './java-hash.js';
export { compileNamePattern, type NamePattern } from './glob.js';
export {
  selectObjects,
  resolveObject,
  matchesObject,
  type ObjectRule,
  type ServerTable,
  type SelectedObject,
  type UnmatchedRule,
  type ObjectSelection,
} from './object-select.js';
export { keyColumnsFor, renderKeyString, type KeyColumns } from './key-columns.js';
export {
  compileRouter,
  routeDdl,
  tableHashString,
  type PartitionStrategy,
  type Route,
  type RouterOptions,
  type TableRouter,
} from './router.js';
export type { FilterExpr, Literal, ColumnRef, CompareOp } from './filter/ast.js';
export { FilterError, FILTER_GRAMMAR_HINT } from './filter/errors.js';
export { parseFilter } from './filter/parser.js';
export { renderFilterSql, renderLiteral } from './filter/render-sql.js';
export {
  compileFilter,
  checkFilter,
  type CompiledFilter,
  type CompileFilterOptions,
  type TextRow,
} from './filter/compile.js';
export { collationFor, type StringCollation, type PreparedString, type RowWeigher } from './filter/collation.js';
export { columnClass, type ColumnClass } from './filter/column-class.js';
export { filterDialectFor, MYSQL_DIALECT, MARIADB_DIALECT, type FilterDialect } from './filter/dialect.js';
export { mysqlStringToDouble } from './filter/mysql-number.js';
