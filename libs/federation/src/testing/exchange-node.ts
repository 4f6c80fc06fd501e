import { AuditLog, auditEntities, auditMigrations } from '@puente/audit';
import { ConsumerRunner, createBrokerClient, ensureTopics, eventSource, messagingEntities, messagingMigrations, OutboxRelay, type BrokerClient, type ConsumedEvent } from '@puente/messaging';
import { openTestDataSource } from '@puente/testing';
import type { DataSource, EntityManager } from 'typeorm';
import { exchangeTopicDeclarations } from '../exchange-kinds';
import { ExchangeReceiver, type ExchangeReceiverOptions, type ReceiveOutcome } from '../exchange-receiver';
import { ExchangeWriter } from '../exchange-writer';
import { CreateFederationExchange1767052800000 } from '../federation.migration';
import type { NodeRegistry } from '../node-registry';

/** One node of a federation test: its database, outbox relay, exchange writer and reader on its own cluster. */
export interface ExchangeNode {
  node: string;
  ds: DataSource;
  broker: BrokerClient;
  writer: ExchangeWriter;
  receiver: ExchangeReceiver;
  outcomes: ReceiveOutcome[];
  runner: ConsumerRunner;
  relay: OutboxRelay;
  send(fn: (tx: EntityManager) => Promise<unknown>): Promise<void>;
  stop(): Promise<void>;
}

export async function startExchangeNode(o: {
  registry: NodeRegistry;
  brokers: string;
  database: string;
  effects?: ExchangeReceiverOptions['effects'];
  setup?: (ds: DataSource) => Promise<void>;
  /** A database of one's own (benchmarks); default: a fresh test database named `database`. */
  open?: (schema: { entities: unknown[]; migrations: unknown[] }) => Promise<DataSource>;
  /** Group and relay lock suffix (default `spec`). */
  label?: string;
}): Promise<ExchangeNode> {
  const node = o.registry.node;
  const schema = { entities: [...messagingEntities, ...auditEntities], migrations: [...messagingMigrations, ...auditMigrations, CreateFederationExchange1767052800000] };
  const ds = o.open ? await o.open(schema) : await openTestDataSource({ name: o.database, ...schema });
  await o.setup?.(ds);
  const broker = createBrokerClient({ brokers: o.brokers.split(','), clientId: `${o.label ?? 'spec'}-${node.toLowerCase()}` });
  await ensureTopics(broker, exchangeTopicDeclarations(node, o.registry.peers));
  const writer = new ExchangeWriter(o.registry, eventSource(node, 'intake'));
  const outcomes: ReceiveOutcome[] = [];
  const receiver = new ExchangeReceiver({
    writer,
    audit: new AuditLog(ds, { service: 'intake', node }),
    effects: o.effects ?? {},
    onOutcome: (r) => outcomes.push(r),
  });
  const runner = new ConsumerRunner({
    broker,
    dataSource: ds,
    groupId: `${o.label ?? 'spec'}.${node.toLowerCase()}.exchange`,
    bindings: receiver.topics.map((topic) => ({
      name: 'exchange-receiver',
      topic,
      handle: async (e: ConsumedEvent, tx: EntityManager) => void (await receiver.receive(e, tx)),
      handleBatch: async (events: ConsumedEvent[], tx: EntityManager) => void (await receiver.receiveRun(events, tx)),
    })),
    partitionsConcurrently: 3,
  });
  await runner.start();
  const options = ds.options as { url: string };
  const relay = new OutboxRelay({ database: { connectionString: options.url }, broker, pollIntervalMs: 100, lockName: `${o.label ?? 'spec'}.${node}.relay` });
  relay.start();
  return {
    node,
    ds,
    broker,
    writer,
    receiver,
    outcomes,
    runner,
    relay,
    send: (fn) => ds.transaction(async (tx) => void (await fn(tx))),
    stop: async () => {
      await runner.stop();
      await relay.stop();
      await ds.destroy();
    },
  };
}
