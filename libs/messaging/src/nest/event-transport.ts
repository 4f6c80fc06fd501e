import { Catch, type INestApplication, Inject, Injectable, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { type CustomTransportStrategy, type MessageHandler, type MicroserviceOptions, type NestMicroservice, Server } from '@nestjs/microservices';
import { PATTERN_EXTRAS_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants';
import { type EventTransportConnector, ServiceConfig } from '@puente/platform';
import { isObservable, lastValueFrom, type Observable, throwError } from 'rxjs';
import { DataSource, type EntityManager } from 'typeorm';
import type { ConsumedEvent, EventHandlerBinding } from '../consumer/consumed-event';
import { ConsumerLag } from '../consumer/consumer-lag';
import { ConsumerRunner } from '../consumer/consumer-runner';
import { eventSource } from '../kafka/cloudevents';
import type { BrokerClient } from '../kafka/kafka-client';
import { EventContext } from './event-context';
import { eventPatternOptions, type EventPatternOptions, InvalidEventHandlerError } from './event-pattern-options';
import { BROKER_CLIENT, consumerGroupFor, MESSAGING_OPTIONS, type MessagingModuleOptions } from './messaging-options';
import { MessagingMetrics } from './messaging-metrics';
import { nestLogger, UntilBrokerAnswers } from './background';

/** Transport id of Puente's event handlers (a Kafka topic per pattern, inbox, retries, DLQ). */
export const PUENTE_EVENTS = Symbol('puente-events');

/**
 * Hands a handler's error to the consumer runner as it was thrown. Nest's default for an error
 * no filter claims replaces it with "Internal server error" and logs it with its message, which
 * would lose what the runner decides on (NonRetryableError, a database outage, the DLQ headers)
 * and could log a database message quoting values. Registered as the microservice's only global
 * filter, so filters on a handler or its class come first.
 */
@Catch()
export class EventErrorPassThrough implements RpcExceptionFilter<unknown> {
  catch(error: unknown): Observable<never> {
    return throwError(() => error);
  }
}

interface RegisteredHandler {
  topic: string;
  name: string;
  options: EventPatternOptions;
  call: MessageHandler;
}

/** A handler's outcome: resolved, or an observable (interceptors, filters) that completes or errors. */
async function settle(result: unknown): Promise<void> {
  if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
}

/**
 * The Nest transport strategy serving `@EventPattern(topic, options)` handlers of controllers
 * from Kafka, through the consumer runner: the handler's writes (through `@Ctx() ctx.manager`)
 * and the inbox row commit in one transaction, events stay ordered per key, failures retry with
 * backoff then go to the DLQ, a database outage is waited out. Nest's guards, interceptors, pipes
 * and exception filters wrap each call, inside that transaction.
 */
@Injectable()
export class EventTransport extends Server implements CustomTransportStrategy, EventTransportConnector {
  private readonly handlers: RegisteredHandler[] = [];
  private names: WeakMap<object, string> | null = null;
  private runner: ConsumerRunner | null = null;
  private lag: ConsumerLag | null = null;
  private consuming: Promise<void> | null = null;
  private topicsCreated: (created: boolean) => void = () => undefined;
  private readonly topicsReady = new Promise<boolean>((resolve) => (this.topicsCreated = resolve));
  private readonly log = new Logger('Consumer');
  private readonly retry = new UntilBrokerAnswers(this.log);

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingModuleOptions,
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
    private readonly config: ServiceConfig,
    private readonly dataSource: DataSource,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly metrics: MessagingMetrics,
  ) {
    super();
    this.transportId = PUENTE_EVENTS;
  }

  /**
   * Connects this strategy to `app` as a hybrid microservice (createServiceApp calls it before
   * `init`; `startAllMicroservices` then calls `listen`). Its own application config, so the
   * HTTP app's global guards, pipes and filters (bearer tokens, problem+json) stay on HTTP.
   */
  connectTo(app: INestApplication): void {
    const events = app.connectMicroservice<MicroserviceOptions>({ strategy: this }, { inheritAppConfig: false, deferInitialization: true }) as NestMicroservice;
    // The app's own init runs the lifecycle hooks; the microservice registers its handlers at listen.
    events.setIsInitHookCalled(true);
    events.useGlobalFilters(new EventErrorPassThrough());
  }

  /** The topics exist (or never will: shutdown); consuming waits for this. */
  onTopicsCreated(created: Promise<boolean>): void {
    void created.then(this.topicsCreated, () => this.topicsCreated(false));
  }

  override addHandler(pattern: unknown, callback: MessageHandler, isEventHandler = false, extras: Record<string, unknown> = {}): void {
    const name = this.nameOf(extras) ?? `handler of ${String(pattern)}`;
    if (!isEventHandler) throw new InvalidEventHandlerError(`${name}: events on Kafka get no reply; use @EventPattern(topic), not @MessagePattern`);
    if (typeof pattern !== 'string' || pattern === '') throw new InvalidEventHandlerError(`${name}: @EventPattern takes a topic name, e.g. @EventPattern(Topics.intakeCase.name)`);
    // Kept apart, not chained as Nest's Server does: each handler has its own filters, inbox
    // semantics and DLQ attribution.
    this.handlers.push({ topic: pattern, name, options: eventPatternOptions(extras, name), call: callback });
  }

  listen(callback: (error?: unknown) => void): void {
    try {
      this.checkDeclarations();
    } catch (error) {
      callback(error);
      return;
    }
    this.consuming = this.consume();
    callback();
  }

  /** Lets the events in flight finish (effect and offset), then leaves the group. Idempotent. */
  async close(): Promise<void> {
    this.retry.stop();
    this.topicsCreated(false);
    await this.consuming;
    await this.runner?.stop();
    this.runner = null;
    this.metrics.watchLag(null);
    await this.lag?.close();
    this.lag = null;
  }

  on(): never {
    throw new Error('the event transport emits no events to listen to; watch /metrics and the logs');
  }

  unwrap<T>(): T {
    return this.runner as T;
  }

  /** The topics the registered handlers read, each with the ce_types it takes (none: all). */
  consumedTopics(): { topic: string; types?: readonly string[] }[] {
    return this.handlers.map(({ topic, options }) => ({ topic, ...(options.types && { types: options.types }) }));
  }

  /** Registered handlers as consumer-runner bindings (what the runner calls inside its transaction). */
  bindings(): EventHandlerBinding[] {
    const ownSource = eventSource(this.config.PUENTE_NODE, this.config.serviceName);
    return this.handlers.map(({ topic, name, options, call }) => {
      const accepts = options.ignoreOwnEvents ? (e: ConsumedEvent) => e.source !== ownSource : undefined;
      const invoke = async (payload: ConsumedEvent | ConsumedEvent[], events: ConsumedEvent[], tx: EntityManager) =>
        settle(await call(payload, new EventContext([tx, events, name])));
      if (options.batch) {
        const many = (events: ConsumedEvent[], tx: EntityManager) => invoke(events, events, tx);
        return { name, topic, types: options.types, accepts, handleBatch: many, handle: (event, tx) => many([event], tx) };
      }
      return { name, topic, types: options.types, accepts, handle: (event, tx) => invoke(event, [event], tx) };
    });
  }

  private async consume(): Promise<void> {
    if (this.handlers.length === 0 || !(await this.topicsReady)) return;
    const bindings = this.bindings();
    await this.retry.run(
      async () => {
        const runner = new ConsumerRunner({
          broker: this.broker,
          dataSource: this.dataSource,
          groupId: this.options.consumerGroup ?? consumerGroupFor(this.config.serviceName, this.config.databaseName),
          bindings,
          retry: this.options.retry,
          logger: nestLogger('Consumer'),
          onOutcome: (topic, outcome) => this.metrics.onConsumed(topic, outcome),
        });
        this.runner = runner;
        await runner.start();
        this.lag = new ConsumerLag(this.broker, runner.groupId, runner.topics);
        this.metrics.watchLag(this.lag);
        this.log.log(`consuming ${runner.topics.join(', ')} with ${bindings.length} handler(s)`);
      },
      async () => {
        await this.runner?.stop();
        this.runner = null;
      },
    );
  }

  /**
   * Fails the start, with what to change, when a handler cannot be served: a topic the service
   * does not declare (it would not be created), or `@EventPattern` on a provider (Nest serves
   * patterns of controllers only, so it would never be called).
   */
  private checkDeclarations(): void {
    const declared = new Set(this.options.topics.map((t) => t.name));
    for (const h of this.handlers) {
      if (!declared.has(h.topic)) throw new InvalidEventHandlerError(`${h.name}: topic ${h.topic} is not among MessagingModule.forRoot({ topics })`);
    }
    const controllers = new Set(this.discovery.getControllers().map((w) => w.metatype));
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || typeof instance !== 'object' || controllers.has(wrapper.metatype)) continue;
      const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        if (Reflect.getMetadata(PATTERN_METADATA, proto[method] as object) !== undefined) {
          throw new InvalidEventHandlerError(`${proto.constructor.name}.${method}: @EventPattern is served on controllers only; declare the class with @Controller() in its module's controllers`);
        }
      }
    }
  }

  /** `Class.method` of the handler whose `@EventPattern` extras are `extras` (one object per method). */
  private nameOf(extras: object): string | undefined {
    if (!this.names) {
      this.names = new WeakMap();
      for (const wrapper of this.discovery.getControllers()) {
        const instance = wrapper.instance as object | undefined;
        if (!instance || typeof instance !== 'object') continue;
        const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
        for (const method of this.scanner.getAllMethodNames(proto)) {
          const meta = Reflect.getMetadata(PATTERN_EXTRAS_METADATA, proto[method] as object) as object | undefined;
          if (meta) this.names.set(meta, `${wrapper.metatype?.name ?? proto.constructor.name}.${method}`);
        }
      }
    }
    return this.names.get(extras);
  }
}
