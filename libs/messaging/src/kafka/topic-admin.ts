import type { BrokerClient, MessagingLogger } from './kafka-client';
import { silentLogger } from './kafka-client';

export interface TopicDeclaration {
  name: string;
  partitions: number;
}

/** Creates the declared topics that do not exist yet (idempotent; safe for replicas racing). */
export async function ensureTopics(
  client: BrokerClient,
  topics: readonly TopicDeclaration[],
  logger: MessagingLogger = silentLogger,
): Promise<string[]> {
  if (topics.length === 0) return [];
  const admin = client.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: -1 })),
        });
      } catch (e) {
        // Another replica may have created them a moment ago; anything else is real.
        if (!/already exists/i.test(String((e as Error).message))) throw e;
      }
      logger.log(`created topics: ${missing.map((t) => t.name).join(', ')}`, 'messaging');
    }
    return missing.map((t) => t.name);
  } finally {
    await admin.disconnect();
  }
}

/** Throws unless the broker answers a metadata request within timeoutMs. */
export async function pingBroker(client: BrokerClient, timeoutMs = 3000): Promise<void> {
  const admin = client.admin();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await admin.connect();
        await admin.describeCluster();
      })(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`broker did not answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}
