import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..', '..', '..');
const tool = (rel: string) => pathToFileURL(join(root, rel)).href;

/**
 * Port of the sending node's own broker in two-node tests (peer port + 2). MirrorMaker keeps its
 * state (offsets of the other direction, offset syncs, heartbeats) on both clusters, so a second
 * topology on a broker that carried an earlier one inherits stale positions and copies nothing:
 * each spec starts both brokers from empty storage instead of reusing the run's test broker.
 */
export function originKafkaPort(env: NodeJS.ProcessEnv = process.env): number {
  return peerKafkaPort(env) + 2;
}

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

/**
 * The two-node topology exists once per test run: every spec that builds it uses the same peer
 * broker port, and MirrorMaker's worker groups for the `gt`/`mx` aliases live on the shared test
 * broker. Jest runs spec files in parallel workers, so a spec holds this lock from its beforeAll
 * to its afterAll; another spec waits for it (polling the lock file with a deadline). A lock
 * left by a process that died is taken over.
 */
export async function holdTwoNodeTopology(timeoutMs = 20 * 60_000): Promise<() => void> {
  const lock = join(root, '.cache', `two-nodes-${peerKafkaPort()}.lock`);
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!holderAlive(lock)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`two-node topology still held by another spec after ${timeoutMs} ms (${lock})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function holderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lock, 'utf8'));
  } catch {
    return true; // being written or just released: look again
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** GT's and MX's clusters of a two-node spec, held for the spec's lifetime. */
export interface TwoNodeTopology {
  gtBrokers: string;
  mxBrokers: string;
  /** Starts MirrorMaker 2 between them (after the nodes created their exchange topics). */
  startMirror(): Promise<void>;
  /** Stops MirrorMaker and both brokers, and lets the next spec have the topology. */
  stop(): Promise<void>;
}

/**
 * The two-node topology a spec needs, in one call: takes the cross-worker lock, starts both
 * brokers from empty storage; `startMirror` once both nodes run, `stop` in afterAll.
 */
export async function startTwoNodeTopology(name: string): Promise<TwoNodeTopology> {
  const release = await holdTwoNodeTopology();
  const mxPort = peerKafkaPort();
  const gtPort = originKafkaPort();
  let mirror = false;
  try {
    const mxBrokers = await startPeerBroker(mxPort);
    const gtBrokers = await startPeerBroker(gtPort);
    return {
      gtBrokers,
      mxBrokers,
      startMirror: async () => {
        await startMirrorMaker(
          [
            { node: 'GT', brokers: gtBrokers },
            { node: 'MX', brokers: mxBrokers },
          ],
          name,
        );
        mirror = true;
      },
      stop: async () => {
        try {
          if (mirror) await stopMirrorMaker(name);
          await stopPeerBroker(mxPort);
          await stopPeerBroker(gtPort);
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
