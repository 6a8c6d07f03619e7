import type { ServerFacts } from '../source/mysql/server-facts.js';
import { hasGlobal, hasOnTable, parseGrants } from '../source/mysql/grants.js';
import { fail, pass, warn, type CheckResult } from './check.js';

/** Days of binlog DTS asks a source to keep for a full + incremental job. */
const RECOMMENDED_RETENTION_DAYS = 7;

function versionCheck(f: ServerFacts): CheckResult {
  const d = f.dialect;
  const name = d.version.flavor === 'mariadb' ? 'MariaDB' : 'MySQL';
  const title = 'Server version';
  if (d.supported.tooOld) {
    return fail('source.version', title, `${name} ${d.version.text}`, `Upgrade to ${name} ${d.supported.min} or later; older servers lack the binlog features sluice needs.`);
  }
  if (d.supported.newerThanTested) {
    return warn('source.version', title, `${name} ${d.version.text} is newer than the tested ${d.supported.min}–${d.supported.maxTested}`, 'It probably works; run the integration tests against it before relying on it.');
  }
  return pass('source.version', title, `${name} ${d.version.text} (supported ${d.supported.min}–${d.supported.maxTested})`);
}

function variableCheck(f: ServerFacts, name: string, expected: string, fix: string): CheckResult {
  const value = f.variables.get(name);
  const title = `${name} = ${expected}`;
  if (value === undefined) return fail(`source.${name}`, title, `${name} is not set on this server`, fix);
  if (value.toUpperCase() !== expected) return fail(`source.${name}`, title, `${name} is ${value}`, fix);
  return pass(`source.${name}`, title, `${name} is ${value}`);
}

function rowMetadataCheck(f: ServerFacts): CheckResult {
  const title = 'binlog_row_metadata = FULL';
  if (!f.dialect.hasRowMetadata) {
    return warn('source.binlog_row_metadata', title, 'this server has no binlog_row_metadata: column names come from tracked DDL only', 'Nothing to set here; avoid ALTER TABLE while sluice lags behind, or upgrade the server.');
  }
  const v = f.variables.get('binlog_row_metadata') ?? 'MINIMAL';
  if (v.toUpperCase() !== 'FULL') {
    return warn('source.binlog_row_metadata', title, `binlog_row_metadata is ${v}: an ALTER TABLE while sluice lags could mislabel the columns of rows written before it`, 'SET PERSIST binlog_row_metadata = FULL (MariaDB: SET GLOBAL and add it to my.cnf).');
  }
  return pass('source.binlog_row_metadata', title, 'binlog_row_metadata is FULL (column names in every table map)');
}

function gtidCheck(f: ServerFacts): CheckResult {
  const title = 'GTID';
  if (f.dialect.version.flavor === 'mariadb') return pass('source.gtid', title, 'MariaDB GTID (always on)');
  const mode = f.variables.get('gtid_mode') ?? 'OFF';
  if (mode.toUpperCase() === 'ON') return pass('source.gtid', title, 'gtid_mode is ON');
  return pass('source.gtid', title, `gtid_mode is ${mode}: sluice resumes by binlog file and position`);
}

function retentionCheck(f: ServerFacts): CheckResult {
  const title = 'Binlog retention';
  let seconds: number | undefined;
  for (const v of f.dialect.retentionVariables) {
    const raw = f.variables.get(v.name);
    if (raw === undefined) continue;
    const n = Number(raw) * v.secondsPerUnit;
    if (n > 0) {
      seconds = n;
      break;
    }
    seconds = 0;
  }
  const files = f.binaryLogs.length ? `, ${f.binaryLogs.length} binlog file(s) on the server` : '';
  if (seconds === undefined || seconds === 0) {
    return pass('source.binlog_retention', title, `binlogs are not expired automatically${files}`);
  }
  const days = seconds / 86400;
  const shown = days >= 1 ? `${days.toFixed(days % 1 ? 1 : 0)} day(s)` : `${(seconds / 3600).toFixed(1)} hour(s)`;
  if (days < RECOMMENDED_RETENTION_DAYS) {
    return warn('source.binlog_retention', title, `binlogs expire after ${shown}${files}: a long snapshot or a stopped job can outlive them`, `Keep at least ${RECOMMENDED_RETENTION_DAYS} days: SET PERSIST binlog_expire_logs_seconds = ${RECOMMENDED_RETENTION_DAYS * 86400} (MariaDB/5.7: expire_logs_days = ${RECOMMENDED_RETENTION_DAYS}).`);
  }
  return pass('source.binlog_retention', title, `binlogs expire after ${shown}${files}`);
}

function privilegeChecks(f: ServerFacts, objects: ReadonlyArray<{ db: string; table: string }>): CheckResult[] {
  const g = parseGrants(f.grantLines);
  const out: CheckResult[] = [];
  const grantFix = (p: string) => `GRANT ${p} ON *.* TO the sync account (DTS needs REPLICATION SLAVE, REPLICATION CLIENT, SHOW VIEW and SELECT).`;
  out.push(
    hasGlobal(g, 'REPLICATION SLAVE')
      ? pass('source.priv.replication_slave', 'Privilege REPLICATION SLAVE', 'granted')
      : fail('source.priv.replication_slave', 'Privilege REPLICATION SLAVE', 'missing: the binlog cannot be read', grantFix('REPLICATION SLAVE')),
  );
  const clientNames = f.dialect.replicationClientNames;
  out.push(
    clientNames.some((n) => hasGlobal(g, n))
      ? pass('source.priv.replication_client', 'Privilege REPLICATION CLIENT', 'granted')
      : fail('source.priv.replication_client', 'Privilege REPLICATION CLIENT', 'missing: the binlog position cannot be read', grantFix(clientNames.join(' (or ') + (clientNames.length > 1 ? ')' : ''))),
  );
  out.push(
    hasGlobal(g, 'SHOW VIEW')
      ? pass('source.priv.show_view', 'Privilege SHOW VIEW', 'granted')
      : warn('source.priv.show_view', 'Privilege SHOW VIEW', 'missing: view definitions cannot be read', grantFix('SHOW VIEW')),
  );
  const unreadable = objects.filter((o) => !hasOnTable(g, 'SELECT', o.db, o.table));
  out.push(
    unreadable.length === 0
      ? pass('source.priv.select', 'Privilege SELECT on the objects', objects.length ? `granted on all ${objects.length} table(s)` : 'no tables selected')
      : fail('source.priv.select', 'Privilege SELECT on the objects', `missing on ${unreadable.map((o) => `${o.db}.${o.table}`).slice(0, 5).join(', ')}${unreadable.length > 5 ? ` and ${unreadable.length - 5} more` : ''}`, 'GRANT SELECT ON each database (or *.*) TO the sync account.'),
  );
  return out;
}

/** Evaluates the server's facts into checks. Pure, so every branch is unit-tested from plain data. */
export function sourceChecks(f: ServerFacts, objects: ReadonlyArray<{ db: string; table: string }>): CheckResult[] {
  return [
    versionCheck(f),
    variableCheck(f, 'log_bin', 'ON', 'Enable the binlog: log_bin (and server_id) in my.cnf, then restart the server.'),
    variableCheck(f, 'binlog_format', 'ROW', 'SET PERSIST binlog_format = ROW (MariaDB: SET GLOBAL and my.cnf); sessions already open keep their format until they reconnect.'),
    variableCheck(f, 'binlog_row_image', 'FULL', 'SET PERSIST binlog_row_image = FULL (MariaDB: SET GLOBAL and my.cnf): DTS records carry whole before and after images.'),
    rowMetadataCheck(f),
    gtidCheck(f),
    retentionCheck(f),
    ...privilegeChecks(f, objects),
  ];
}
