const path = require('node:path');
const { pathToFileURL } = require('node:url');

const root = path.join(__dirname, '..', '..', '..', '..');

module.exports = async function globalTeardown() {
  const infra = globalThis.__PUENTE_INFRA__;
  if (!infra || infra.stopped) return;
  infra.stopped = true;
  if (infra.kafkaStartedHere) {
    const { stopKafka } = await import(pathToFileURL(path.join(root, 'tools/infra/kafka.mjs')).href);
    await stopKafka({ log: () => undefined });
  }
};
