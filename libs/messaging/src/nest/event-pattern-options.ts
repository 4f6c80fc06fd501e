/**
 * What an event handler may add to its topic, as `@EventPattern(topic, { ... })`'s extras:
 *
 *   @EventPattern(Topics.intakeCase.name, { types: ['puente.intake.v1.CaseOpened'] })
 *   @EventPattern(Topics.intakeMatchKeys.name, { ignoreOwnEvents: true })
 *   @EventPattern(topic.name, { batch: true })
 */
export interface EventPatternOptions {
  /** CloudEvents types to receive (`ce_type`); omit for every event on the topic. */
  types?: readonly string[];
  /** Skip the events this service published itself (its own `ce_source`): no inbox row, no transaction. */
  ignoreOwnEvents?: boolean;
  /**
   * `@Payload()` is `ConsumedEvent[]`: every fresh event of a run at once, for one multi-row
   * write. A failing batch is taken again one event at a time, so a poison event still gets its
   * own retries and DLQ entry.
   */
  batch?: boolean;
}

const KNOWN = ['types', 'ignoreOwnEvents', 'batch'] as const;

/** A handler declared in a way the event transport cannot serve; the service does not start. */
export class InvalidEventHandlerError extends Error {
  override readonly name = 'InvalidEventHandlerError';
}

/**
 * The options of `handler` from its `@EventPattern` extras, checked: extras are untyped in Nest,
 * so a misspelt option would otherwise be ignored in silence (and, say, a type filter lost).
 */
export function eventPatternOptions(extras: Readonly<Record<string, unknown>> | undefined, handler: string): EventPatternOptions {
  const given = extras ?? {};
  for (const key of Object.keys(given)) {
    if (!(KNOWN as readonly string[]).includes(key)) {
      throw new InvalidEventHandlerError(`${handler}: unknown @EventPattern option "${key}" (known: ${KNOWN.join(', ')})`);
    }
  }
  const { types, ignoreOwnEvents, batch } = given;
  if (types !== undefined && (!Array.isArray(types) || types.length === 0 || !types.every((t) => typeof t === 'string' && t.length > 0))) {
    throw new InvalidEventHandlerError(`${handler}: "types" must be a non-empty list of CloudEvents types`);
  }
  for (const [key, value] of [
    ['ignoreOwnEvents', ignoreOwnEvents],
    ['batch', batch],
  ] as const) {
    if (value !== undefined && typeof value !== 'boolean') throw new InvalidEventHandlerError(`${handler}: "${key}" must be true or false`);
  }
  return {
    ...(types !== undefined && { types: [...(types as string[])] }),
    ...(ignoreOwnEvents !== undefined && { ignoreOwnEvents: ignoreOwnEvents as boolean }),
    ...(batch !== undefined && { batch: batch as boolean }),
  };
}
