import { isDlqTopic, type TopicSpec, Topics } from '@puente/contracts';

export interface TimelineTopic {
  name: string;
  partitions: number;
}

/** Partitions assumed for an extra topic that does not exist yet (it is created with this count). */
export const DEFAULT_EXTRA_PARTITIONS = 3;

/** Parses `name[:partitions],…` (INTAKE_TIMELINE_TOPICS). DLQs are refused: the timeline reads events, not failures. */
export function parseTopicList(spec: string | undefined): TimelineTopic[] {
  if (!spec || spec.trim() === '') return [];
  return spec.split(',').map((entry) => {
    const [name, partitions] = entry.trim().split(':');
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(name)) throw new RangeError(`INTAKE_TIMELINE_TOPICS: invalid topic name ${JSON.stringify(name)}`);
    if (isDlqTopic(name)) throw new RangeError(`INTAKE_TIMELINE_TOPICS: ${name} is a dead-letter topic`);
    const count = partitions === undefined ? DEFAULT_EXTRA_PARTITIONS : Number(partitions);
    if (!Number.isInteger(count) || count < 1 || count > 1000) throw new RangeError(`INTAKE_TIMELINE_TOPICS: invalid partition count for ${name}`);
    return { name, partitions: count };
  });
}

/**
 * Topics the case timeline reads: every catalogued topic keyed by case id (not DLQs), so a new
 * context's topic is followed as soon as it is added to `Topics`, plus the extra topics given
 * (a context not catalogued yet, a partner's topic keyed by case id). Sorted, without repeats.
 */
export function timelineTopics(extra: readonly TimelineTopic[] = [], catalog: Record<string, TopicSpec> = Topics): TimelineTopic[] {
  const byName = new Map<string, TimelineTopic>();
  for (const spec of Object.values(catalog)) {
    if (spec.key === 'caseId' && !spec.deadLetterOf && !isDlqTopic(spec.name)) byName.set(spec.name, { name: spec.name, partitions: spec.partitions });
  }
  for (const topic of extra) if (!byName.has(topic.name)) byName.set(topic.name, topic);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
