import { type BeforeApplicationShutdown, type DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ASYNCAPI_DOCUMENT, BROKER_PROBE, type BrokerProbe, EVENT_TRANSPORT, METRICS_REGISTRY, ServiceConfig } from '@puente/platform';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { dlqTopicOf } from '../consumer/dead-letter';
import { eventSource } from '../kafka/cloudevents';
import { type BrokerClient, createBrokerClient } from '../kafka/kafka-client';
import { ensureTopics, pingBroker } from '../kafka/topic-admin';
import { OutboxRelay } from '../outbox/outbox-relay';
import { OutboxWriter } from '../outbox/outbox-writer';
import { AsyncApiDocs } from './asyncapi-docs';
import { EventTransport } from './event-transport';
import { BROKER_CLIENT, MESSAGING_OPTIONS, type MessagingModuleOptions } from './messaging-options';
import { MessagingMetrics } from './messaging-metrics';
import { nestLogger, UntilBrokerAnswers } from './background';

export { BROKER_CLIENT, consumerGroupFor, MESSAGING_OPTIONS, type MessagingModuleOptions } from './messaging-options';

/**
 * Creates the service's topics, starts the outbox relay, and on shutdown stops the event
 * handlers (draining the events in flight) then the relay. A broker that is down at start does
 * not stop the service: writes keep landing in the outbox and everything connects when the
 * broker is back.
 */
@Injectable()
export class MessagingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Messaging');
  private relay: OutboxRelay | null = null;
  private topicsCreated: Promise<boolean> = Promise.resolve(false);
  private readonly retry = new UntilBrokerAnswers(this.logger);

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingModuleOptions,
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
    private readonly config: ServiceConfig,
    private readonly metrics: MessagingMetrics,
    private readonly events: EventTransport,
  ) {}

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
    // The declared topics and their DLQs, created when missing.
    const topics = this.options.topics.flatMap((t) => [t, { name: dlqTopicOf(t.name), partitions: t.partitions }]);
    this.topicsCreated = this.retry.run(() => ensureTopics(this.broker, topics, nestLogger('Messaging')));
    this.events.onTopicsCreated(this.topicsCreated);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.retry.stop();
    await this.events.close();
    await this.topicsCreated;
    await this.relay?.stop();
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
        {
          provide: MessagingMetrics,
          inject: [METRICS_REGISTRY, DataSource],
          useFactory: (registry: Registry, dataSource: DataSource) => new MessagingMetrics(registry, dataSource),
        },
        EventTransport,
        // createServiceApp connects what it finds under this token (libs/platform cannot import this library).
        { provide: EVENT_TRANSPORT, useExisting: EventTransport },
        MessagingLifecycle,
        AsyncApiDocs,
        { provide: ASYNCAPI_DOCUMENT, useExisting: AsyncApiDocs },
      ],
      exports: [BROKER_CLIENT, OutboxWriter, BROKER_PROBE, EventTransport, EVENT_TRANSPORT],
    };
  }
}
