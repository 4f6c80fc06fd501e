import { fromHeaders } from '@puente/messaging';
import { type BrokerClient, readWholeTopic, type RecordedEvent } from '@puente/messaging';
import type { DataSource } from 'typeorm';
import { type TimelineInput, writeTimelineEntries } from './timeline-projector';
import type { TimelineTopic } from './timeline-topics';

/** Entries written per statement. */
const REBUILD_BATCH = 1000;

export interface RebuildReport {
  topics: { name: string; records: number }[];
  records: number;
  entries: number;
  skipped: number;
}

/**
 * Rebuilds the case timeline from the topics: reads each topic from the beginning to its
 * current end, then, in one transaction, empties the projection and writes every event about
 * a case again. Readers see the old timeline until the commit. The live consumer may keep
 * running: an event it writes meanwhile is the same (source, id) and is not duplicated.
 * (Records older than the topics' retention are gone from Kafka, and so from the rebuild.)
 */
export async function rebuildTimeline(options: {
  dataSource: DataSource;
  broker: BrokerClient;
  topics: readonly TimelineTopic[];
  timeoutMs?: number;
  log?: (message: string) => void;
}): Promise<RebuildReport> {
  const log = options.log ?? (() => undefined);
  const report: RebuildReport = { topics: [], records: 0, entries: 0, skipped: 0 };
  const all: RecordedEvent[] = [];
  for (const topic of options.topics) {
    const records = await readWholeTopic(options.broker, topic.name, { timeoutMs: options.timeoutMs ?? 120_000 });
    log(`read ${records.length} record(s) from ${topic.name}`);
    report.topics.push({ name: topic.name, records: records.length });
    // Not push(...records): a million arguments overflow the stack.
    for (const record of records) all.push(record);
  }
  report.records = all.length;
  const startedAt = new Date();
  await options.dataSource.transaction(async (tx) => {
    await tx.query('DELETE FROM timeline_entry');
    // A thousand entries a statement: one INSERT per event made a million events take half an hour.
    let inputs: TimelineInput[] = [];
    const flush = async () => {
      if (inputs.length === 0) return;
      const written = await writeTimelineEntries(tx, inputs);
      report.entries += written;
      report.skipped += inputs.length - written;
      inputs = [];
    };
    for (const record of all) {
      let attributes;
      try {
        attributes = fromHeaders(record.headers);
      } catch {
        report.skipped++;
        continue;
      }
      inputs.push({
        id: attributes.id,
        type: attributes.type,
        source: attributes.source,
        time: attributes.time,
        key: record.key,
        topic: record.topic,
        payload: record.value,
        fallbackTime: startedAt,
      });
      if (inputs.length === REBUILD_BATCH) await flush();
    }
    await flush();
  });
  log(`timeline rebuilt: ${report.entries} entr${report.entries === 1 ? 'y' : 'ies'} from ${report.records} record(s)`);
  return report;
}
