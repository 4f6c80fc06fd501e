import type { Admin } from 'kafkajs';
import type { BrokerClient } from '../kafka/kafka-client';

/**
 * How far a consumer group is behind, per topic: the sum over partitions of the end offset minus
 * the group's committed offset (or minus the earliest offset where the group committed nothing
 * yet, since consumers start from the beginning). Read from the broker, so it also grows while
 * the group is stuck or down, which is when it matters.
 */
export class ConsumerLag {
  private admin: Admin | null = null;

  constructor(
    private readonly broker: BrokerClient,
    private readonly groupId: string,
    private readonly topics: readonly string[],
    private readonly timeoutMs = 2000,
  ) {}

  async read(): Promise<Map<string, number>> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.fetch(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
    } catch (error) {
      // Reconnect next time: the broker may have moved or restarted.
      await this.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await admin?.disconnect().catch(() => undefined);
  }

  private async fetch(): Promise<Map<string, number>> {
    if (!this.admin) {
      const admin = this.broker.admin();
      await admin.connect();
      this.admin = admin;
    }
    const admin = this.admin;
    const committed = await admin.fetchOffsets({ groupId: this.groupId, topics: [...this.topics] });
    const lag = new Map<string, number>();
    for (const topic of this.topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const group = new Map((committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      let behind = 0n;
      for (const end of ends) {
        const at = group.get(end.partition);
        const from = at === undefined || at < 0n ? BigInt(end.low) : at;
        const diff = BigInt(end.high) - from;
        if (diff > 0n) behind += diff;
      }
      lag.set(topic, Number(behind));
    }
    return lag;
  }
}
