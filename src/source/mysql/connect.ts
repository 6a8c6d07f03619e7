import mysql, { type Connection, type ConnectionOptions } from 'mysql2/promise';
import type { SourceConfig } from '../../config/index.js';
import { SourceError } from '../../errors.js';

interface MysqlLikeError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message?: string;
}

/** mysql2 connection options for the job's source, TLS included. Callers add what their path needs. */
export function connectionOptions(cfg: SourceConfig, extra: ConnectionOptions = {}): ConnectionOptions {
  return {
    host: cfg.host,
    port: cfg.port,
    user: cfg.user,
    password: cfg.password.reveal(),
    connectTimeout: cfg.connectTimeoutMs,
    ...(cfg.tls
      ? { ssl: { ca: cfg.tls.ca, cert: cfg.tls.cert, key: cfg.tls.key, rejectUnauthorized: cfg.tls.verify } }
      : {}),
    ...extra,
  };
}

/** Turns a connection failure into one sentence naming the cause and the fix. */
export function explainConnectError(cfg: SourceConfig, e: unknown): SourceError {
  const err = (e ?? {}) as MysqlLikeError;
  const where = `${cfg.host}:${cfg.port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return new SourceError(`MySQL at ${where} refused the connection: check source.host and source.port and that the server is running.`, { cause: e });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SourceError(`The MySQL host ${cfg.host} cannot be resolved: check source.host.`, { cause: e });
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return new SourceError(`MySQL at ${where} did not answer within ${cfg.connectTimeoutMs} ms: check source.host, source.port and any firewall between.`, { cause: e });
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return new SourceError(`MySQL at ${where} rejected user '${cfg.user}': the password is wrong or the account may not connect from this host — check source.user and source.password.`, { cause: e });
    case 'ER_HOST_NOT_PRIVILEGED':
      return new SourceError(`MySQL at ${where} does not allow connections from this host for '${cfg.user}': create the account for this host.`, { cause: e });
    case 'HANDSHAKE_SSL_ERROR':
    case 'HANDSHAKE_NO_SSL_SUPPORT':
      return new SourceError(`TLS to MySQL at ${where} failed (${err.message ?? err.code}): check source.tls (CA file, verify) or the server's TLS setup.`, { cause: e });
    default: {
      const text = err.sqlMessage ?? err.message ?? String(e);
      // A TLS verification failure arrives as a plain Error from node:tls.
      if (/certificate|self[- ]signed|SSL|TLS/i.test(text)) {
        return new SourceError(`TLS to MySQL at ${where} failed (${text}): give source.tls.ca, or set source.tls.verify: false for a test server.`, { cause: e });
      }
      return new SourceError(`Cannot connect to MySQL at ${where}: ${text}.`, { cause: e });
    }
  }
}

/** Opens one connection to the source; failures become a SourceError a user can act on. */
export async function openConnection(cfg: SourceConfig, extra: ConnectionOptions = {}): Promise<Connection> {
  try {
    return await mysql.createConnection(connectionOptions(cfg, extra));
  } catch (e) {
    throw explainConnectError(cfg, e);
  }
}
