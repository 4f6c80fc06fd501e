// Rebuilds intake's case timeline from the Kafka topics (see timeline-rebuild.ts):
//
//   node -r @swc-node/register services/intake/src/timeline/rebuild.ts
//
// Uses the service's own configuration (DATABASE_URL / INTAKE_DATABASE_URL, PUENTE_DB_PREFIX,
// KAFKA_BROKERS, INTAKE_TIMELINE_TOPICS). Prints a JSON report on stdout; exit code 1 on failure.
import 'reflect-metadata';
import { createBrokerClient } from '@puente/messaging';
import { loadServiceConfig } from '@puente/platform';
import { DataSource } from 'typeorm';
import { IntakeConfig } from '../config/intake.config';
import { TimelineEntry } from './timeline-entry.entity';
import { rebuildTimeline } from './timeline-rebuild';
import { parseTopicList, timelineTopics } from './timeline-topics';

async function main(): Promise<number> {
  const config = loadServiceConfig('intake', IntakeConfig);
  const topics = timelineTopics(parseTopicList(config.INTAKE_TIMELINE_TOPICS));
  const dataSource = new DataSource({ type: 'postgres', url: config.databaseUrl, entities: [TimelineEntry], extra: { application_name: 'intake-timeline-rebuild' } });
  await dataSource.initialize();
  const broker = createBrokerClient({ brokers: config.kafkaBrokers, clientId: 'puente-intake-timeline-rebuild' });
  try {
    const report = await rebuildTimeline({ dataSource, broker, topics, log: (m) => process.stderr.write(`[timeline] ${m}\n`) });
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`timeline rebuild failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
