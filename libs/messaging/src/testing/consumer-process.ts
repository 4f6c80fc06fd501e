// A consumer in its own process, so crash tests can kill it between the effect and the offset
// commit. Env: DATABASE_URL, KAFKA_BROKERS, TOPIC, GROUP, CRASH_AFTER_APPLIED=<n>.
import { DataSource } from 'typeorm';
import { ConsumerRunner } from '../consumer/consumer-runner';
import { createBrokerClient, parseBrokers } from '../kafka/kafka-client';
import { messagingEntities } from '../schema';
import { effectBinding } from './effects';

async function main() {
  const ds = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, entities: messagingEntities, synchronize: false });
  await ds.initialize();
  let applied = 0;
  const crashAt = Number(process.env.CRASH_AFTER_APPLIED ?? 0);
  const runner = new ConsumerRunner({
    broker: createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId: 'consumer-process' }),
    dataSource: ds,
    groupId: process.env.GROUP as string,
    bindings: [effectBinding(process.env.TOPIC as string)],
    partitionsConcurrently: 1,
    sessionTimeoutMs: 6000,
    afterEffect: (_e, wasApplied) => {
      if (!wasApplied) return;
      applied++;
      if (crashAt && applied === crashAt) {
        process.stdout.write(`crashing after effect ${applied}\n`);
        process.kill(process.pid, 'SIGKILL');
      }
    },
  });
  await runner.start();
  process.stdout.write('consumer started\n');
}

void main();
