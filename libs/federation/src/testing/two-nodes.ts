import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { NODE_CODE } from '../exchange-kinds';

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

/**
 * Port of the second node's broker in tests: FEDERATION_PEER_KAFKA_PORT, else KAFKA_PORT + 10
 * for Jest's first worker, + 30 for its second, and so on. Each worker has its own pair of
 * brokers, so two-node specs in different workers run side by side instead of one worker
 * waiting (idle) for the other's topology.
 */
export function peerKafkaPort(env: NodeJS.ProcessEnv = process.env): number {
  if (env.FEDERATION_PEER_KAFKA_PORT) return Number(env.FEDERATION_PEER_KAFKA_PORT);
  const worker = Math.max(1, Number(env.JEST_WORKER_ID ?? 1) || 1);
  return Number(env.KAFKA_PORT ?? 9192) + 10 + 20 * (worker - 1);
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

/**
 * Brokers on `ports`, from empty storage, started side by side (each port has its own start lock);
 * resolves their bootstrap addresses in the same order.
 */
export async function startPeerBrokers(ports: readonly number[]): Promise<string[]> {
  const out = await infra(`const k = await import(${JSON.stringify(tool('tools/infra/kafka.mjs'))});
const started = await Promise.all(${JSON.stringify(ports)}.map((port) => k.ensureKafka({ port, fresh: true, log: () => undefined })));
console.log(JSON.stringify(started.map((r) => r.brokers)));`);
  return JSON.parse(out.split('\n').pop() ?? '[]') as string[];
}

/**
 * Ends a spec's topology at once: SIGKILL to MirrorMaker `mirror` (if given) and to the brokers on
 * `ports`. Their storage is thrown away (the next start is fresh), so a controlled shutdown would
 * only cost the run time (about 5 s per spec).
 */
export async function discardTopology(ports: readonly number[], mirror?: string): Promise<void> {
  await infra(`const k = await import(${JSON.stringify(tool('tools/infra/kafka.mjs'))});
const m = await import(${JSON.stringify(tool('tools/infra/mirrormaker.mjs'))});
${mirror ? `await m.stopMirrorMaker({ name: ${JSON.stringify(mirror)}, kill: true, log: () => undefined });` : ''}
await Promise.all(${JSON.stringify(ports)}.map((port) => k.stopKafka({ port, kill: true, log: () => undefined })));`);
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
 * The two-node topology exists once per Jest worker: every spec that builds it in that worker
 * uses the same two broker ports, whichever pair of nodes it runs. A spec holds this lock from
 * its beforeAll to its afterAll, so a second run sharing the ports (another Jest on the same
 * KAFKA_PORT) waits for it (polling the lock file with a deadline) instead of wiping its
 * brokers. A lock left by a process that died is taken over.
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

/**
 * The clusters of two nodes of a two-node spec (any pair of node codes, GT and MX unless told),
 * held for the spec's lifetime. The first node's cluster runs on originKafkaPort, the second's
 * on peerKafkaPort. For the default pair, `gtBrokers` and `mxBrokers` name them too (the
 * spelling of the specs written before the pair could be chosen).
 */
export type TwoNodeTopology<A extends string = 'GT', B extends string = 'MX'> = {
  /** The pair, in the order given. */
  readonly nodes: readonly [A, B];
  /** Each node's bootstrap address. */
  readonly brokers: Readonly<Record<A | B, string>>;
  /** Starts MirrorMaker 2 between them (after the nodes created their exchange topics). */
  startMirror(): Promise<void>;
  /** Kills MirrorMaker and both brokers (their storage is discarded), and lets the next spec have the topology. */
  stop(): Promise<void>;
} & ([A, B] extends ['GT', 'MX'] ? { readonly gtBrokers: string; readonly mxBrokers: string } : unknown);

/**
 * The two-node topology a spec needs, in one call: takes the cross-worker lock, starts both
 * brokers from empty storage; `startMirror` once both nodes run, `stop` in afterAll.
 * `nodes` is the pair, e.g. ['HN', 'GT'] for a journey between Honduras and Guatemala.
 */
export async function startTwoNodeTopology<A extends string = 'GT', B extends string = 'MX'>(
  name: string,
  nodes: readonly [A, B] = ['GT', 'MX'] as unknown as readonly [A, B],
): Promise<TwoNodeTopology<A, B>> {
  const [first, second] = nodes;
  if (!NODE_CODE.test(first) || !NODE_CODE.test(second) || (first as string) === second) throw new RangeError(`two distinct node codes are needed, got ${JSON.stringify(nodes)}`);
  const release = await holdTwoNodeTopology();
  const firstPort = originKafkaPort();
  const secondPort = peerKafkaPort();
  let mirror = false;
  try {
    const [secondBrokers, firstBrokers] = await startPeerBrokers([secondPort, firstPort]);
    const brokers = { [first]: firstBrokers, [second]: secondBrokers } as Record<A | B, string>;
    const topology = {
      nodes: [first, second] as const,
      brokers,
      startMirror: async () => {
        await startMirrorMaker(
          nodes.map((node) => ({ node, brokers: brokers[node] })),
          name,
        );
        mirror = true;
      },
      stop: async () => {
        try {
          await discardTopology([secondPort, firstPort], mirror ? name : undefined);
        } finally {
          release();
        }
      },
      ...(first === 'GT' && second === 'MX' ? { gtBrokers: firstBrokers, mxBrokers: secondBrokers } : {}),
    };
    return topology as unknown as TwoNodeTopology<A, B>;
  } catch (error) {
    release();
    throw error;
  }
}
