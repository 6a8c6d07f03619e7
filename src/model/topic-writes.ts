/**
 * What a job knows it wrote to Kafka: per topic, per partition (as text), the end offset after the last
 * acknowledged batch. The checkpoint keeps it (state/) and the sink checks topics against it (sink/), so it
 * lives here, below both.
 */
export type TopicWrites = Readonly<Record<string, Readonly<Record<string, bigint>>>>;
