// A relay in its own process, so crash tests can SIGKILL it. Env: DATABASE_URL (the service
// database), KAFKA_BROKERS, BATCH_SIZE, CRASH_AFTER_SEND=<n> (die after Kafka acked batch n,
// before marking it sent).
import { createBrokerClient, parseBrokers } from '../kafka/kafka-client';
import { OutboxRelay } from '../outbox/outbox-relay';

let batches = 0;
const crashAt = Number(process.env.CRASH_AFTER_SEND ?? 0);
const relay = new OutboxRelay({
  database: { connectionString: process.env.DATABASE_URL },
  broker: createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId: 'relay-process' }),
  batchSize: Number(process.env.BATCH_SIZE ?? 100),
  pollIntervalMs: 100,
  leaderRetryMs: 200,
  afterSend: () => {
    batches++;
    if (crashAt && batches === crashAt) {
      process.stdout.write(`crashing after batch ${batches}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  },
  onPublished: (n) => process.stdout.write(`published ${n}\n`),
});
relay.start();
process.stdout.write('relay started\n');
process.on('SIGTERM', () => void relay.stop().then(() => process.exit(0)));
