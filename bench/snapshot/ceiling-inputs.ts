/**
 * What the mysql2 read ceiling needs to read a table the way sluice's snapshot does: the job as sluice would
 * load it (for the mapper's select list, snapshot.parallelism and workers.threads) and the table's id range.
 */
import mysql from 'mysql2/promise';
import { buildJob } from '../../src/config/index.js';
import { compileTableMapper } from '../../src/format/dts-avro/index.js';
import { readSourceModel } from '../../src/pipeline/job/source-model.js';
import { MYSQL } from '../../test/support/services.js';
import { jobDocument } from './run-sluice.js';

export interface CeilingInputs {
  selectList: string;
  minId: number;
  maxId: number;
  parallelism: number;
  threads: number;
}

export async function ceilingInputs(db: string, table: string, partitions: number, extra: Record<string, unknown> = {}): Promise<CeilingInputs> {
  const job = buildJob(jobDocument({ db, table, partitions, extra }, 'unused', '/tmp/unused-state'), '/tmp/bench-job.yaml', {});
  const conn = await mysql.createConnection({ host: MYSQL.host, port: MYSQL.port, user: MYSQL.sluice.user, password: MYSQL.sluice.password });
  try {
    const model = await readSourceModel(conn, job);
    const schema = model.tables[0]!.schema;
    const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT MIN(id) AS lo, MAX(id) AS hi FROM \`${db}\`.\`${table}\``);
    return { selectList: compileTableMapper(schema).selectList, minId: Number(rows[0]!.lo), maxId: Number(rows[0]!.hi), parallelism: job.snapshot.parallelism, threads: job.workers.threads };
  } finally {
    await conn.end();
  }
}
