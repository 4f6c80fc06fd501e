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
  const { ensurePostgres, dropTestDatabases, testDatabasePrefix } = await load('tools/infra/postgres.mjs');
  // The shell's PUENTE_DB_PREFIX (a developer's `puente_`) is replaced, never used: tests create
  // and drop only `puente_test_<PUENTE_TEST_RUN or ci>_*`, so neither a developer's databases nor
  // a concurrent run's are touched. Code under test and child processes read it from here.
  process.env.PUENTE_DB_PREFIX = testDatabasePrefix();
  const pg = await ensurePostgres();
  process.env.DATABASE_URL = pg.url;
  // Every run starts from empty test databases, so no test depends on a previous run's rows.
  await dropTestDatabases(process.env.PUENTE_DB_PREFIX);
  const { ensureKafka } = await load('tools/infra/kafka.mjs');
  // Same dedicated, fresh test broker as `npm test` (see tools/test.mjs).
  if (!process.env.KAFKA_BROKERS && !process.env.KAFKA_PORT) process.env.KAFKA_PORT = '9192';
  // Many short-lived, lightly loaded brokers (two-node specs start more): start them lean.
  process.env.KAFKA_JVM_QUICK ??= '1';
  const kafka = await ensureKafka({ log: () => undefined, fresh: true });
  process.env.KAFKA_BROKERS = kafka.brokers;
  globalThis.__PUENTE_INFRA__ = { kafkaStartedHere: kafka.startedHere };
};
