// Jest global setup: real PostgreSQL and a real Kafka broker for every test project.
// Reuses a broker that is already running (e.g. started by `npm test`), so several projects in
// one run share it; the teardown stops only what this process started.
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const root = path.join(__dirname, '..', '..', '..', '..');
const load = (rel) => import(pathToFileURL(path.join(root, rel)).href);

module.exports = async function globalSetup() {
  if (globalThis.__PUENTE_INFRA__) return;
  process.env.NODE_ENV = 'test';
  process.env.PUENTE_DB_PREFIX = process.env.PUENTE_DB_PREFIX || 'puente_test_';
  const { ensurePostgres, dropDatabases } = await load('tools/infra/postgres.mjs');
  const pg = await ensurePostgres();
  process.env.DATABASE_URL = pg.url;
  // Every run starts from empty test databases, so no test depends on a previous run's rows.
  await dropDatabases(process.env.PUENTE_DB_PREFIX);
  const { ensureKafka } = await load('tools/infra/kafka.mjs');
  // Same dedicated, fresh test broker as `npm test` (see tools/test.mjs).
  if (!process.env.KAFKA_BROKERS && !process.env.KAFKA_PORT) process.env.KAFKA_PORT = '9192';
  const kafka = await ensureKafka({ log: () => undefined, fresh: true });
  process.env.KAFKA_BROKERS = kafka.brokers;
  globalThis.__PUENTE_INFRA__ = { kafkaStartedHere: kafka.startedHere };
};
