import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { BROKER_PROBE, type BrokerProbe, METRICS_REGISTRY, ServiceConfig } from '@puente/platform';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { ConsumerRunner } from '../consumer/consumer-runner';
import { ConsumerLag } from '../consumer/consumer-lag';
import type { ConsumedEvent, EventBatchHandlerFn, EventHandlerBinding, EventHandlerFn } from '../consumer/consumed-event';
import { dlqTopicOf } from '../consumer/dead-letter';
import type { RetryPolicy } from '../consumer/retry-policy';
import { eventSource } from '../kafka/cloudevents';
import { type BrokerClient, createBrokerClient, type MessagingLogger } from '../kafka/kafka-client';
import { ensureTopics, pingBroker, type TopicDeclaration } from '../kafka/topic-admin';
import { OutboxRelay } from '../outbox/outbox-relay';
import { OutboxWriter } from '../outbox/outbox-writer';
import { HANDLES_EVENT, type HandlesEventOptions } from './handles-event.decorator';
import { MessagingMetrics } from './messaging-metrics';

export const BROKER_CLIENT = 'puente:BROKER_CLIENT';
export const MESSAGING_OPTIONS = 'puente:MESSAGING_OPTIONS';

export interface MessagingModuleOptions {
  /** Topics this service writes or reads; created at start (with their DLQs) when missing. */
  topics: readonly TopicDeclaration[];
  /** Consumer group; default from the service and its database (see consumerGroupFor). */
  consumerGroup?: string;
  retry?: RetryPolicy;
  relay?: { batchSize?: number; pollIntervalMs?: number; retentionMs?: number; enabled?: boolean };
}

/**
 * The inbox lives in the service's database, so a consumer group must map to exactly one
 * database: two deployments sharing a broker (a developer's `npm start` next to tests or a
 * benchmark) would otherwise split each other's events. The standard database keeps the plain
 * `puente.<service>` name.
 */
export function consumerGroupFor(service: string, databaseName: string): string {
  const standard = `puente_${service.replace(/-/g, '_')}`;
  return databaseName === standard ? `puente.${service}` : `puente.${service}.${databaseName}`;
}

function nestLogger(context: string): MessagingLogger {
  const l = new Logger(context);
  return { log: (m) => l.log(m), warn: (m) => l.warn(m), error: (m) => l.error(m), debug: (m) => l.debug(m) };
}

/**
 * Starts the outbox relay and the event handlers of this service, and stops them (draining the
 * message in flight) on shutdown. A broker that is down at start does not stop the service:
 * writes keep landing in the outbox and everything connects when the broker is back.
 */
@Injectable()
export class MessagingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Messaging');
  private relay: OutboxRelay | null = null;
  private runner: ConsumerRunner | null = null;
  private lag: ConsumerLag | null = null;
  private stopping = false;
  private starting: Promise<void> | null = null;
  private readonly metrics: MessagingMetrics;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingModuleOptions,
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
    private readonly config: ServiceConfig,
    private readonly dataSource: DataSource,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.metrics = new MessagingMetrics(registry, dataSource);
  }

  onApplicationBootstrap(): void {
    if (this.options.relay?.enabled !== false) {
      this.relay = new OutboxRelay({
        database: { connectionString: this.config.databaseUrl },
        broker: this.broker,
        batchSize: this.options.relay?.batchSize,
        pollIntervalMs: this.options.relay?.pollIntervalMs,
        retentionMs: this.options.relay?.retentionMs,
        logger: nestLogger('OutboxRelay'),
        onPublished: (count) => this.metrics.onPublished(count),
      });
      this.relay.start();
    }
    this.starting = this.startConsumers();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.starting;
    await this.runner?.stop();
    await this.relay?.stop();
    this.metrics.watchLag(null);
    await this.lag?.close();
  }

  /** Bindings of every @HandlesEvent method in the application. */
  bindings(): EventHandlerBinding[] {
    const found: EventHandlerBinding[] = [];
    const ownSource = eventSource(this.config.PUENTE_NODE, this.config.serviceName);
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const proto = Object.getPrototypeOf(instance);
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const meta = Reflect.getMetadata(HANDLES_EVENT, proto[method]) as HandlesEventOptions | undefined;
        if (!meta) continue;
        const name = `${proto.constructor.name}.${method}`;
        const accepts = meta.ignoreOwnEvents ? (e: ConsumedEvent) => e.source !== ownSource : undefined;
        if (meta.batch) {
          const many = (instance[method] as EventBatchHandlerFn).bind(instance);
          found.push({ name, topic: meta.topic, types: meta.types, accepts, handleBatch: many, handle: (event, tx) => many([event], tx) });
        } else {
          found.push({ name, topic: meta.topic, types: meta.types, accepts, handle: (instance[method] as EventHandlerFn).bind(instance) });
        }
      }
    }
    return found;
  }

  private async startConsumers(): Promise<void> {
    const topics = this.options.topics.flatMap((t) => [t, { name: dlqTopicOf(t.name), partitions: t.partitions }]);
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await ensureTopics(this.broker, topics, nestLogger('Messaging'));
        const bindings = this.bindings();
        if (bindings.length > 0) {
          this.runner = new ConsumerRunner({
            broker: this.broker,
            dataSource: this.dataSource,
            groupId: this.options.consumerGroup ?? consumerGroupFor(this.config.serviceName, this.config.databaseName),
            bindings,
            retry: this.options.retry,
            logger: nestLogger('Consumer'),
            onOutcome: (topic, outcome) => this.metrics.onConsumed(topic, outcome),
          });
          await this.runner.start();
          this.lag = new ConsumerLag(this.broker, this.runner.groupId, this.runner.topics);
          this.metrics.watchLag(this.lag);
          this.logger.log(`consuming ${this.runner.topics.join(', ')} with ${bindings.length} handler(s)`);
        }
        return;
      } catch (e) {
        await this.runner?.stop().catch(() => undefined);
        this.runner = null;
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        this.logger.warn(`broker not available yet (${(e as Error).message}); retrying in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}

@Module({})
export class MessagingModule {
  /** Import through PlatformModule.forRoot({ imports: [MessagingModule.forRoot(...)] }). */
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: BROKER_CLIENT,
          inject: [ServiceConfig],
          useFactory: (config: ServiceConfig) =>
            createBrokerClient({ brokers: config.kafkaBrokers, clientId: `puente-${config.serviceName}`, logger: nestLogger('Kafka') }),
        },
        {
          provide: OutboxWriter,
          inject: [ServiceConfig],
          useFactory: (config: ServiceConfig) => new OutboxWriter(eventSource(config.PUENTE_NODE, config.serviceName)),
        },
        {
          provide: BROKER_PROBE,
          inject: [BROKER_CLIENT],
          useFactory: (broker: BrokerClient): BrokerProbe => ({ check: () => pingBroker(broker) }),
        },
        MessagingLifecycle,
      ],
      exports: [BROKER_CLIENT, OutboxWriter, BROKER_PROBE],
    };
  }
}
