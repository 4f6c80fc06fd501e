import {
  type CallHandler,
  Catch,
  Controller,
  type ExecutionContext,
  Injectable,
  Module,
  type NestInterceptor,
  type RpcExceptionFilter,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp, PlatformModule } from '@puente/platform';
import { eventually, uniqueName } from '@puente/testing';
import { Client } from 'pg';
import { from, mergeMap, type Observable, throwError } from 'rxjs';
import { DataSource } from 'typeorm';
import type { ConsumedEvent } from '../consumer/consumed-event';
import { dlqTopicOf } from '../consumer/dead-letter';
import { readDeadLetters, replayDeadLetters } from '../consumer/dead-letter-replay';
import { NonRetryableError } from '../consumer/retry-policy';
import { toHeaders } from '../kafka/cloudevents';
import { BROKER_CLIENT } from './messaging-options';
import type { BrokerClient } from '../kafka/kafka-client';
import { readTopic, sendRaw } from '../kafka/topic-reader';
import { OutboxWriter } from '../outbox/outbox-writer';
import { messagingEntities, messagingMigrations } from '../schema';
import { EventContext } from './event-context';
import { MessagingModule } from './messaging.module';

jest.setTimeout(180_000);

const ledgerTopic = uniqueName('test.events.ledger');
const batchTopic = uniqueName('test.events.batch');
const partnerTopic = uniqueName('test.events.partner');
const OPENED = 'puente.test.v1.CaseOpened';

/** The ledger's "bug": it refuses events keyed `poison` until fixed. */
let fixed = false;
const attempts = new Map<string, number>();
const batchCalls: string[][] = [];
let unreachable: Error;

class UnknownCaseError extends Error {}

/** A domain error no retry can fix becomes a NonRetryableError: straight to the DLQ. */
@Catch(UnknownCaseError)
class UnknownCaseFilter implements RpcExceptionFilter<UnknownCaseError> {
  catch(error: UnknownCaseError): Observable<never> {
    return throwError(() => new NonRetryableError(`no such case: ${error.message}`));
  }
}

/** Records every call it wraps through the call's transaction (so a failed call leaves no record). */
@Injectable()
class LedgerStamp implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.switchToRpc().getContext<EventContext>();
    return from(
      ctx.manager.query('INSERT INTO test_stamp (event_ids, handler, context_type) VALUES ($1, $2, $3)', [ctx.events.map((e) => e.id), ctx.handler, context.getType()]),
    ).pipe(mergeMap(() => next.handle()));
  }
}

@Controller()
@UseInterceptors(LedgerStamp)
class CaseLedger {
  @EventPattern(ledgerTopic, { types: [OPENED] })
  @UseFilters(UnknownCaseFilter)
  async onOpened(@Payload() event: ConsumedEvent, @Ctx() ctx: EventContext): Promise<void> {
    const n = (attempts.get(event.id) ?? 0) + 1;
    attempts.set(event.id, n);
    if (event.key === 'outage' && n <= 4) throw unreachable;
    await ctx.manager.query('INSERT INTO test_seen (event_id, key, handler) VALUES ($1, $2, $3)', [event.id, event.key, ctx.handler]);
    if (event.key === 'poison' && !fixed) throw new Error('the ledger rejected a poison event');
    if (event.key === 'unknown-case') throw new UnknownCaseError(event.key);
  }
}

@Controller()
class TimelineRuns {
  @EventPattern(batchTopic, { batch: true })
  async onRun(@Payload() events: ConsumedEvent[], @Ctx() { manager }: EventContext): Promise<void> {
    batchCalls.push(events.map((e) => e.id));
    await manager.query('INSERT INTO test_run (event_id, key) SELECT * FROM unnest($1::text[], $2::text[])', [events.map((e) => e.id), events.map((e) => e.key)]);
  }
}

@Controller()
class PartnerKeys {
  @EventPattern(partnerTopic, { ignoreOwnEvents: true })
  async onPartnerEvent(@Payload() event: ConsumedEvent, @Ctx() { manager }: EventContext): Promise<void> {
    await manager.query('INSERT INTO test_seen (event_id, key, handler) VALUES ($1, $2, $3)', [event.id, event.key, 'partner']);
  }
}

@Module({
  imports: [
    PlatformModule.forRoot({
      service: 'events-spec',
      entities: [...messagingEntities],
      migrations: [...messagingMigrations],
      imports: [
        MessagingModule.forRoot({
          topics: [
            { name: ledgerTopic, partitions: 1 },
            { name: batchTopic, partitions: 2 },
            { name: partnerTopic, partitions: 1 },
          ],
          retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100, multiplier: 2 },
          relay: { pollIntervalMs: 100 },
        }),
      ],
    }),
  ],
  controllers: [CaseLedger, TimelineRuns, PartnerKeys],
  providers: [LedgerStamp],
})
class EventsSpecModule {}

function event(id: string, key: string, type = OPENED) {
  return { key, value: Buffer.from(`payload-${id}`), headers: toHeaders({ id, type, source: '/puente/mx/intake', time: new Date().toISOString(), subject: key }) };
}

describe('@EventPattern handlers served by the event transport (real Nest app, PostgreSQL and Kafka)', () => {
  let app: NestFastifyApplication;
  let ds: DataSource;
  let broker: BrokerClient;

  beforeAll(async () => {
    // A real "database not there" error: what a handler's query gets while PostgreSQL is down.
    unreachable = await new Client({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres', connectionTimeoutMillis: 2000 }).connect().then(
      () => new Error('port 1 answered'),
      (e: Error) => e,
    );
    app = await createServiceApp({ service: 'events-spec', module: EventsSpecModule, title: 't', description: 'd', shutdownHooks: false });
    await app.listen(0, '127.0.0.1');
    ds = app.get(DataSource);
    broker = app.get(BROKER_CLIENT);
    await ds.query('CREATE TABLE IF NOT EXISTS test_seen (n bigserial PRIMARY KEY, event_id text NOT NULL, key text, handler text)');
    await ds.query('CREATE TABLE IF NOT EXISTS test_stamp (n bigserial PRIMARY KEY, event_ids text[] NOT NULL, handler text, context_type text)');
    await ds.query('CREATE TABLE IF NOT EXISTS test_run (n bigserial PRIMARY KEY, event_id text NOT NULL, key text)');
  });

  afterAll(async () => {
    await app?.close();
  });

  const seen = async (handler: string) =>
    ((await ds.query('SELECT event_id FROM test_seen WHERE handler = $1 ORDER BY n', [handler])) as { event_id: string }[]).map((r) => r.event_id);
  const metric = async (labels: string) => {
    const text = await (await fetch(`${await app.getUrl()}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('puente_events_consumed_total{') && l.includes(labels));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  it('applies effects with the inbox in one transaction, in order, through interceptors and exception filters; retries, dead-letters and waits out a database outage', async () => {
    await sendRaw(broker, ledgerTopic, [
      event('e-1', 'case-a'),
      event('e-other', 'case-a', 'puente.test.v1.Other'),
      event('e-poison', 'poison'),
      event('e-unknown', 'unknown-case'),
      event('e-outage', 'outage'),
      event('e-2', 'case-a'),
    ]);
    const dlq = await readTopic(broker, dlqTopicOf(ledgerTopic), { until: (m) => m.length >= 2 });
    await eventually('the good events applied', async () => (await seen('CaseLedger.onOpened')).length === 3, 90_000);
    // Ordered per partition: the outage held e-2 back until the database answered.
    expect(await seen('CaseLedger.onOpened')).toEqual(['e-1', 'e-outage', 'e-2']);
    expect(attempts.get('e-outage')).toBeGreaterThan(3); // more than maxAttempts: an outage does not count toward the DLQ
    expect(attempts.has('e-other')).toBe(false); // filtered by type: never called

    const poison = dlq.find((m) => m.headers.ce_id === 'e-poison');
    expect(poison?.headers).toMatchObject({ dlq_attempts: '3', dlq_handler: 'CaseLedger.onOpened', dlq_error_type: 'Error', dlq_original_topic: ledgerTopic });
    expect(poison?.headers.dlq_error_message).toBe('Error: the ledger rejected a poison event');
    // The method's exception filter turned the domain error into a NonRetryableError: one attempt.
    const unknown = dlq.find((m) => m.headers.ce_id === 'e-unknown');
    expect(unknown?.headers).toMatchObject({ dlq_attempts: '1', dlq_handler: 'CaseLedger.onOpened', dlq_error_type: 'NonRetryableError' });
    expect(unknown?.headers.dlq_error_message).toBe('NonRetryableError: no such case: unknown-case');

    // The class's interceptor ran in the handler's transaction: its stamp exists for applied calls only.
    const stamps: { event_ids: string[]; handler: string; context_type: string }[] = await ds.query('SELECT event_ids, handler, context_type FROM test_stamp ORDER BY n');
    expect(stamps.map((s) => s.event_ids[0])).toEqual(['e-1', 'e-outage', 'e-2']);
    expect(stamps.every((s) => s.handler === 'CaseLedger.onOpened' && s.context_type === 'rpc')).toBe(true);
    // Inbox rows for the applied events only (a dead-lettered event has none, so a replay applies it).
    const inbox = (await ds.query('SELECT event_id FROM inbox_message WHERE topic = $1 ORDER BY kafka_offset', [ledgerTopic])).map((r: { event_id: string }) => r.event_id);
    expect(inbox).toEqual(['e-1', 'e-outage', 'e-2']);

    await eventually('outcomes counted', async () => (await metric(`topic="${ledgerTopic}",outcome="applied"`)) === 3);
    expect(await metric(`topic="${ledgerTopic}",outcome="dead-lettered"`)).toBe(2);
    expect(await metric(`topic="${ledgerTopic}",outcome="ignored"`)).toBe(1);

    // The bug fixed, the operator replays the poison event: applied once, through the same handler.
    fixed = true;
    const letters = (await readDeadLetters(broker, ledgerTopic)).filter((l) => l.eventId === 'e-poison');
    await replayDeadLetters(broker, letters);
    await replayDeadLetters(broker, letters);
    await eventually('the replayed event applied', async () => (await seen('CaseLedger.onOpened')).includes('e-poison'));
    await eventually('the second replay seen as a duplicate', async () => (await metric(`topic="${ledgerTopic}",outcome="duplicate"`)) === 1);
    expect(await seen('CaseLedger.onOpened')).toEqual(['e-1', 'e-outage', 'e-2', 'e-poison']);
  });

  it('hands a batch handler the fresh events of a run at once, in order per key, each applied once', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `r-${i}`);
    await sendRaw(
      broker,
      batchTopic,
      ids.map((id, i) => event(id, `case-${i % 5}`)),
    );
    await eventually('every event of the runs applied', async () => (await ds.query('SELECT count(*)::int AS n FROM test_run'))[0].n === 40);
    const rows: { event_id: string; key: string }[] = await ds.query('SELECT event_id, key FROM test_run ORDER BY n');
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(40);
    for (let k = 0; k < 5; k++) {
      expect(rows.filter((r) => r.key === `case-${k}`).map((r) => r.event_id)).toEqual(ids.filter((_, i) => i % 5 === k));
    }
    expect(batchCalls.some((c) => c.length > 1)).toBe(true);
  });

  it('skips its own events for an ignoreOwnEvents handler, without an inbox row, and applies a partner node\'s', async () => {
    const writer = app.get(OutboxWriter);
    const own = await ds.transaction((m) =>
      writer.append(m, { topic: partnerTopic, key: 'case-own', type: OPENED, payload: Buffer.from('own') }, { topic: partnerTopic, key: 'case-own', type: OPENED, payload: Buffer.from('own') }),
    );
    await sendRaw(broker, partnerTopic, [event('p-1', 'case-partner')]);
    await eventually('the partner event applied', async () => (await seen('partner')).length === 1);
    await eventually('own events consumed', async () => (await metric(`topic="${partnerTopic}",outcome="ignored"`)) === 2);
    expect(await seen('partner')).toEqual(['p-1']);
    const inbox = (await ds.query('SELECT event_id FROM inbox_message WHERE topic = $1', [partnerTopic])).map((r: { event_id: string }) => r.event_id);
    expect(inbox).toEqual(['p-1']);
    expect(inbox).not.toContain(own[0]);
  });
});

/** A handler on a provider: Nest serves patterns of controllers only, so it would never be called. */
@Injectable()
class ForgottenConsumer {
  @EventPattern(ledgerTopic)
  async onOpened(@Payload() event: ConsumedEvent): Promise<void> {
    attempts.set(event.id, -1);
  }
}

@Controller()
class UndeclaredTopicConsumer {
  @EventPattern('test.events.not-declared')
  async onEvent(@Payload() event: ConsumedEvent): Promise<void> {
    attempts.set(event.id, -1);
  }
}

function misdeclaredModule(part: { controllers?: unknown[]; providers?: unknown[] }) {
  @Module({
    imports: [
      PlatformModule.forRoot({
        service: 'events-misdeclared-spec',
        entities: [...messagingEntities],
        migrations: [...messagingMigrations],
        imports: [MessagingModule.forRoot({ topics: [{ name: ledgerTopic, partitions: 1 }], relay: { enabled: false } })],
      }),
    ],
    controllers: part.controllers as never,
    providers: part.providers as never,
  })
  class MisdeclaredModule {}
  return MisdeclaredModule;
}

describe('event handlers the transport cannot serve', () => {
  it('stop the service from starting, saying what to change', async () => {
    const start = (module: ReturnType<typeof misdeclaredModule>) =>
      createServiceApp({ service: 'events-misdeclared-spec', module, title: 't', description: 'd', shutdownHooks: false }).then(async (app) => {
        await app.close();
        return 'started';
      });
    await expect(start(misdeclaredModule({ providers: [ForgottenConsumer] }))).rejects.toThrow(
      'ForgottenConsumer.onOpened: @EventPattern is served on controllers only; declare the class with @Controller() in its module\'s controllers',
    );
    await expect(start(misdeclaredModule({ controllers: [UndeclaredTopicConsumer] }))).rejects.toThrow(
      'UndeclaredTopicConsumer.onEvent: topic test.events.not-declared is not among MessagingModule.forRoot({ topics })',
    );
  });
});
