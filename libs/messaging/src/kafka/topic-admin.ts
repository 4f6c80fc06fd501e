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
          waitForLeaders: false,
          topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: -1 })),
        });
      } catch (e) {
        // Another replica may have created them a moment ago; anything else is real.
        if (!/already exists/i.test(String((e as Error).message))) throw e;
      }
      await waitForLeaders(admin, missing.map((t) => t.name));
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

/**
 * Until every partition of `topics` has a leader. A broker answers "does not host this
 * topic-partition" for a moment after creating a topic, so errors here are retried.
 */
async function waitForLeaders(admin: ReturnType<BrokerClient['admin']>, topics: string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (meta.length === topics.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leader after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
