/**
 * The one place sluice reaches inside kafkajs 2.2 (pinned in package-lock). The sink writes its own Produce
 * requests (record batches built by record-batch.ts) because kafkajs' per-message encoder was the
 * measured bound of the whole pipeline (DESIGN §2: ~5 µs a record, plus a Buffer and several objects per
 * record); everything else — connections, SASL, TLS, metadata, InitProducerId, request framing and
 * correlation — stays kafkajs'. test/unit/sink/kafkajs-internals.test.ts fails if any of these moves.
 */
import { createRequire } from 'node:module';
import type { Kafka } from 'kafkajs';

const require = createRequire(import.meta.url);

/** What a request's encode() returns: kafkajs frames anything carrying its bytes as `buf`/`buffer` (its Encoder's shape). */
export interface EncodedPayload {
  readonly buf: Buffer;
  readonly buffer: Buffer;
}

export interface ProducePartitionResponse {
  partition: number;
  errorCode: number;
  baseOffset: string;
}
export interface ProduceResponse {
  topics: Array<{ topicName: string; partitions: ProducePartitionResponse[] }>;
  throttleTime: number;
}

/** A protocol request as kafkajs' Connection sends it. */
export interface ProtocolRequest {
  request: {
    apiKey: number;
    apiVersion: number;
    apiName: string;
    expectResponse: () => boolean;
    encode: () => Promise<EncodedPayload>;
  };
  response: { decode: (raw: Buffer) => Promise<unknown>; parse: (data: unknown) => Promise<unknown> };
  requestTimeout?: number;
}

export interface KafkaBroker {
  nodeId: number;
  connectionPool: { send(req: ProtocolRequest): Promise<unknown> };
  initProducerId(args: { transactionalId?: string; transactionTimeout: number }): Promise<{ producerId: string; producerEpoch: number }>;
}

export interface KafkaCluster {
  isConnected(): boolean;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  removeBroker(args: { host: string; port: number }): void;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number; leader: number }>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(args: { nodeId: string | number }): Promise<KafkaBroker>;
  findControllerBroker(): Promise<KafkaBroker>;
}

type CreateCluster = (opts: { allowAutoTopicCreation: boolean; maxInFlightRequests: number | null; metadataMaxAge?: number }) => KafkaCluster;

const produceV7Response = require('kafkajs/src/protocol/requests/produce/v7/response') as { decode: (raw: Buffer) => Promise<ProduceResponse> };
const protocolError = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error & { type: string; retriable: boolean } };
const apiKeys = require('kafkajs/src/protocol/requests/apiKeys') as { Produce: number };

export const PRODUCE_API_KEY = apiKeys.Produce;
export const decodeProduceResponse = produceV7Response.decode;
/** kafkajs' error for a Kafka error code (carries `type`, e.g. NOT_LEADER_OR_FOLLOWER, and `retriable`). */
export const errorFromCode = (code: number): Error & { type: string; retriable: boolean } => protocolError.createErrorFromCode(code);

/**
 * A kafkajs Cluster configured exactly as the client's producers are (brokers, SASL, TLS, timeouts,
 * retry): the client keeps its factory under a private symbol.
 */
export function createCluster(kafka: Kafka, opts: { maxInFlightRequests: number | null }): KafkaCluster {
  const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const factory = sym ? (kafka as unknown as Record<symbol, unknown>)[sym] : undefined;
  if (typeof factory !== 'function') throw new Error('kafkajs internals changed: Kafka has no cluster factory (sluice needs kafkajs 2.2)');
  return (factory as CreateCluster)({ allowAutoTopicCreation: false, maxInFlightRequests: opts.maxInFlightRequests });
}
