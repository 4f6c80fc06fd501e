import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..', '..', '..');
const tool = (rel: string) => pathToFileURL(join(root, rel)).href;

/** Port of the second node's broker in tests: FEDERATION_PEER_KAFKA_PORT, else KAFKA_PORT + 10. */
export function peerKafkaPort(env: NodeJS.ProcessEnv = process.env): number {
  if (env.FEDERATION_PEER_KAFKA_PORT) return Number(env.FEDERATION_PEER_KAFKA_PORT);
  return Number(env.KAFKA_PORT ?? 9192) + 10;
}

/** Runs an ES module snippet of the infra tools in its own Node process (Jest runs CommonJS). */
async function infra(script: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root, env: process.env, timeout: 180_000, maxBuffer: 4 << 20 });
  return stdout.trim();
}

/**
 * A second broker on `port` (the peer node's cluster), from empty storage unless `fresh` is false
 * (a restart after stopPeerBroker keeps its topics and offsets); resolves its bootstrap address.
 */
export function startPeerBroker(port: number, fresh = true): Promise<string> {
  return infra(`const k = await import(${JSON.stringify(tool('tools/infra/kafka.mjs'))});
const r = await k.ensureKafka({ port: ${port}, fresh: ${fresh}, log: () => undefined });
console.log(r.brokers);`);
}

export async function stopPeerBroker(port: number): Promise<void> {
  await infra(`const k = await import(${JSON.stringify(tool('tools/infra/kafka.mjs'))});
await k.stopKafka({ port: ${port}, log: () => undefined });`);
}

/** Starts MirrorMaker 2 between the nodes' clusters and waits until it replicates. */
export async function startMirrorMaker(nodes: { node: string; brokers: string }[], name: string): Promise<void> {
  await infra(`const m = await import(${JSON.stringify(tool('tools/infra/mirrormaker.mjs'))});
await m.startMirrorMaker({ nodes: ${JSON.stringify(nodes)}, name: ${JSON.stringify(name)}, log: () => undefined });`);
}

/** Stops it; `kill` sends SIGKILL (a crash, no clean shutdown). */
export async function stopMirrorMaker(name: string, kill = false): Promise<void> {
  await infra(`const m = await import(${JSON.stringify(tool('tools/infra/mirrormaker.mjs'))});
await m.stopMirrorMaker({ name: ${JSON.stringify(name)}, kill: ${kill}, log: () => undefined });`);
}
