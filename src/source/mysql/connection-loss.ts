/**
 * Which MySQL errors mean "the connection went away" (the server restarted or shut down, a network fault, the
 * session was killed): the binlog phase reconnects and resumes from its checkpoint after them, and the snapshot
 * reads the chunk in progress again. Anything else is a refusal to be explained, not retried.
 */
export interface MysqlErrorLike {
  code?: string;
  errno?: number;
  message?: string;
  fatal?: boolean;
}

/** mysql2 / socket codes after which reconnecting is right. */
const CONNECTION_LOSS_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'ER_CON_COUNT_ERROR',
  'ER_NET_READ_ERROR',
  'ER_NET_READ_INTERRUPTED',
  'ER_NET_ERROR_ON_WRITE',
  'ER_NET_WRITE_INTERRUPTED',
]);

/**
 * MySQL's ER_SERVER_SHUTDOWN and the client-side 2013 "Lost connection", by number: mysql2 names some errnos
 * after the wrong server (MariaDB reuses numbers), so codes alone miss a few.
 */
const CONNECTION_LOSS_ERRNOS = new Set([1053, 1927, 2006, 2013, 4031]);

export function isConnectionLoss(e: unknown): boolean {
  const err = (e ?? {}) as MysqlErrorLike;
  if (err.code && CONNECTION_LOSS_CODES.has(err.code)) return true;
  if (err.errno !== undefined && CONNECTION_LOSS_ERRNOS.has(err.errno)) return true;
  return err.fatal === true && err.errno === undefined;
}
