import type { KafkaMessage } from 'kafkajs';
import type { BrokerClient } from './kafka-client';

export interface BareConsumer {
  stop(): Promise<void>;
}

/**
 * A plain kafkajs consumer of one topic: each batch goes to `eachBatch`, then kafkajs commits
 * its offsets, with no inbox, no transaction, no retries and no dead-lettering. Not for services
 * (they consume through ConsumerRunner): it is the yardstick the ConsumerRunner is measured
 * against (`npm run bench -- events`), exported here so that kafkajs stays inside libs/messaging.
 */
export async function startBareConsumer(
  broker: BrokerClient,
  options: { groupId: string; topic: string; partitionsConcurrently?: number; eachBatch: (messages: KafkaMessage[], partition: number) => Promise<void> },
): Promise<BareConsumer> {
  const consumer = broker.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: options.partitionsConcurrently ?? 3,
    eachBatch: async ({ batch }) => options.eachBatch(batch.messages, batch.partition),
  });
  return { stop: () => consumer.disconnect() };
}
