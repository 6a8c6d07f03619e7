import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TlsConfig } from '../../config/index.js';

/** apiKey → highest version the broker supports */
export type BrokerApiVersions = Map<number, number>;

export const API_KEY = { Produce: 0, ApiVersions: 18, InitProducerId: 22 } as const;

/**
 * Asks one broker which protocol versions it supports (ApiVersions v0, allowed before authentication on
 * every listener). kafkajs keeps this answer internal, and precheck needs it to refuse brokers older than
 * 0.11, which lack the idempotent producer (InitProducerId).
 */
export function fetchApiVersions(broker: string, tls: TlsConfig | undefined, timeoutMs: number): Promise<BrokerApiVersions> {
  const [host, portText] = broker.split(/:(?=\d+$)/) as [string, string];
  const port = Number(portText);
  return new Promise((resolve, reject) => {
    const socket: Socket = tls
      ? tlsConnect({ host, port, ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.verify, servername: host })
      : netConnect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`no answer from ${broker} within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    const clientId = Buffer.from('sluice-precheck');
    const req = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
    req.writeInt32BE(req.length - 4, 0);
    req.writeInt16BE(API_KEY.ApiVersions, 4);
    req.writeInt16BE(0, 6);
    req.writeInt32BE(1, 8);
    req.writeInt16BE(clientId.length, 12);
    clientId.copy(req, 14);
    let buf = Buffer.alloc(0);
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write(req));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      clearTimeout(timer);
      socket.destroy();
      try {
        const errorCode = buf.readInt16BE(8);
        const n = buf.readInt32BE(10);
        const versions: BrokerApiVersions = new Map();
        for (let i = 0, off = 14; i < n; i++, off += 6) versions.set(buf.readInt16BE(off), buf.readInt16BE(off + 4));
        if (errorCode !== 0 && versions.size === 0) reject(new Error(`broker ${broker} answered ApiVersions with error code ${errorCode}`));
        else resolve(versions);
      } catch (e) {
        reject(e);
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** The idempotent producer needs InitProducerId and Produce v3+ (Kafka 0.11). */
export function supportsIdempotence(v: BrokerApiVersions): boolean {
  return v.has(API_KEY.InitProducerId) && (v.get(API_KEY.Produce) ?? -1) >= 3;
}
