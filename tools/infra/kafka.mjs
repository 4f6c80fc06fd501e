#!/usr/bin/env node
// Local Apache Kafka broker for development and tests: fetched with Maven, run with `java`
// in KRaft mode (combined broker+controller, single node), no Docker needed.
//
//   node tools/infra/kafka.mjs fetch    download the broker jars into .cache/kafka/libs
//   node tools/infra/kafka.mjs start    start (or reuse) a broker; prints "127.0.0.1:9092"
//   node tools/infra/kafka.mjs stop     stop the broker this repo's tooling started
//   node tools/infra/kafka.mjs status   print {"running":..,"pid":..,"brokers":..}
//
// Programmatic API: ensureKafka(), stopKafka(), kafkaStatus() (see below).
//
// Environment:
//   KAFKA_BROKERS  host:port[,host:port]  use an existing broker; nothing is fetched or started
//   KAFKA_PORT     PLAINTEXT port (default 9092); the KRaft controller listens on KAFKA_PORT+1
//
// Everything generated lives under <repo>/.cache/kafka/ (git-ignored):
//   libs/                   jars (+ .kafka-version marker)
//   server-<port>.properties, data-<port>/, kafka-<port>.pid, logs/<port>/{server,stdout}.log
//
// Node built-ins only. Readiness is checked with a tiny raw Kafka protocol client
// (ApiVersions v0 + Metadata v4) because kafkajs may only be imported in libs/messaging.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Pinned broker version (newest 4.x resolvable from Maven when this was written). */
export const KAFKA_VERSION = '4.4.0';
/** log4j version used by kafka-server KAFKA_VERSION; also used for the slf4j 1.7 binding. */
const LOG4J_VERSION = '2.25.5';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = Number(process.env.KAFKA_READY_TIMEOUT_MS) || 60_000;
const STOP_TIMEOUT_MS = 20_000;
const LOCK_TIMEOUT_MS = 10 * 60_000; // a cold Maven fetch can take a while
const TAIL_LINES = 20;
const WAY_OUT = 'Set KAFKA_BROKERS=host:port to use an existing broker instead.';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const CACHE = path.join(REPO, '.cache', 'kafka');
const LIBS = path.join(CACHE, 'libs');
const VERSION_MARKER = path.join(LIBS, '.kafka-version');
const POM_TEMPLATE = path.join(HERE, 'kafka', 'pom.xml');
const LOG4J_CONFIG = path.join(HERE, 'kafka', 'log4j2.properties');
const LOCK_FILE = path.join(CACHE, '.lock');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rel = (p) => path.relative(process.cwd(), p) || '.';

function kafkaPort() {
  const raw = process.env.KAFKA_PORT;
  if (raw === undefined || raw === '') return 9092;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65534) {
    throw new Error(`Kafka: invalid KAFKA_PORT=${JSON.stringify(raw)} (expected 1-65534).`);
  }
  return port;
}

function paths(port) {
  const logs = path.join(CACHE, 'logs', String(port));
  return {
    port,
    controllerPort: port + 1,
    brokers: `${HOST}:${port}`,
    serverProps: path.join(CACHE, `server-${port}.properties`),
    dataDir: path.join(CACHE, `data-${port}`),
    pidFile: path.join(CACHE, `kafka-${port}.pid`),
    logs,
    serverLog: path.join(logs, 'server.log'),
    stdoutLog: path.join(logs, 'stdout.log'),
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function tail(text, n = TAIL_LINES) {
  const lines = String(text ?? '')
    .replace(/\x1b\[[0-9;]*m/g, '') // ANSI colours (Maven)
    .replace(/\s+$/, '')
    .split('\n');
  return lines.slice(-n).join('\n');
}

/** Last n lines of a file, optionally only of what was written after byte offset `since`. */
export function tailFile(file, n = TAIL_LINES, since = 0) {
  try {
    // Only the end of the file matters; avoid reading a 10 MB log.
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const start = since <= size ? since : 0; // smaller than before => rolled over
      const len = Math.min(size - start, 64 * 1024);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      return tail(buf.toString('utf8'), n);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

function failure(step, detail, output, lines = TAIL_LINES) {
  const parts = [`Kafka: ${step}${detail ? `; ${detail}` : ''}`];
  const t = tail(output, lines);
  if (t.trim()) parts.push(`--- last lines ---\n${t}\n---`);
  parts.push(WAY_OUT);
  return new Error(parts.join('\n'));
}

/** Runs a command, collecting stdout+stderr. Resolves { code, output }; rejects on spawn error. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    let output = '';
    let child;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    } catch (err) {
      reject(err);
      return;
    }
    const collect = (d) => {
      output += d;
      if (output.length > 256 * 1024) output = output.slice(-128 * 1024);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

export function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code !== 'EPERM') return false;
  }
  // A zombie (exited, not yet reaped) is not alive for our purposes.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
  } catch {
    /* no procfs (macOS): trust kill(0) */
  }
  return true;
}

/** True if pid is alive and (where /proc exists) really is our kafka.Kafka JVM for serverProps. */
function isKafkaProcess(pid, serverProps) {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka') && cmdline.includes(serverProps);
  } catch {
    return true;
  }
}

export function readPid(pidFile) {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function fileSize(file) {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function rmQuiet(p) {
  try {
    fs.rmSync(p, { recursive: true, force: true });
  } catch {
    /* ignore */
  }
}

/**
 * Cross-process mutex: fetching the jars takes LOCK_FILE; formatting and starting a broker take
 * its port's lock, so brokers on different ports (a two-node test's pair, each Jest worker's)
 * start side by side while no port is set up twice at once.
 */
async function withLock(fn, lockFile = LOCK_FILE) {
  fs.mkdirSync(CACHE, { recursive: true });
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let holder;
      let age = 0;
      try {
        holder = Number(fs.readFileSync(lockFile, 'utf8').trim());
        age = Date.now() - fs.statSync(lockFile).mtimeMs;
      } catch {
        continue; // vanished in between: retry immediately
      }
      const stale = holder ? !isAlive(holder) : age > 10_000;
      if (stale) {
        rmQuiet(lockFile);
        continue;
      }
      if (Date.now() > deadline) {
        throw failure(
          'timed out waiting for another process to finish setting up the broker',
          `lock ${rel(lockFile)} held by pid ${holder}`,
        );
      }
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmQuiet(lockFile);
  }
}

// ---------------------------------------------------------------------------------------------
// Minimal Kafka wire protocol (non-flexible versions only: request header v1, response header v0)
//   ApiVersions v0, Metadata v4 (v0-v3 were removed in Kafka 4, KIP-896),
//   FindCoordinator v1 and InitProducerId v0/v1 for the post-start warm-up.

const API_METADATA = 3;
const API_FIND_COORDINATOR = 10;
const API_VERSIONS = 18;
const API_INIT_PRODUCER_ID = 22;

function encodeRequest(apiKey, apiVersion, correlationId, body) {
  const clientId = Buffer.from('puente-infra-probe');
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const payload = Buffer.concat([header, clientId, body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
}

function encodeString(s) {
  if (s === null) return Buffer.from([0xff, 0xff]);
  const b = Buffer.from(s);
  const len = Buffer.alloc(2);
  len.writeInt16BE(b.length, 0);
  return Buffer.concat([len, b]);
}

class Reader {
  constructor(buf) {
    this.buf = buf;
    this.off = 0;
  }
  need(n) {
    if (this.off + n > this.buf.length) throw new Error('truncated response');
  }
  int16() {
    this.need(2);
    const v = this.buf.readInt16BE(this.off);
    this.off += 2;
    return v;
  }
  int32() {
    this.need(4);
    const v = this.buf.readInt32BE(this.off);
    this.off += 4;
    return v;
  }
  string() {
    const len = this.int16();
    if (len < 0) return null;
    this.need(len);
    const s = this.buf.toString('utf8', this.off, this.off + len);
    this.off += len;
    return s;
  }
  array(fn) {
    const n = this.int32();
    if (n < 0) return null;
    if (n > 100_000) throw new Error(`implausible array length ${n}`);
    const out = [];
    for (let i = 0; i < n; i++) out.push(fn(this));
    return out;
  }
}

/** One TCP connection; request() sends a request and resolves a Reader positioned after the response header. */
function kafkaConnect(host, port, timeoutMs) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const pending = new Map(); // correlationId -> { resolve, reject }
    let nextId = 1;
    let buf = Buffer.alloc(0);
    let failed = null;
    const fail = (err) => {
      if (failed) return;
      failed = err;
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      sock.destroy();
      reject(err); // no-op once connected
    };
    const timer = setTimeout(() => fail(new Error('timeout connecting')), timeoutMs);
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed by peer')));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        while (buf.length >= 4) {
          const size = buf.readInt32BE(0);
          if (size < 4 || size > 16 * 1024 * 1024) throw new Error(`not a Kafka response (size ${size})`);
          if (buf.length < 4 + size) break;
          const r = new Reader(buf.subarray(4, 4 + size));
          buf = buf.subarray(4 + size);
          const id = r.int32();
          const p = pending.get(id);
          if (!p) throw new Error(`unexpected correlation id ${id}`);
          pending.delete(id);
          p.resolve(r);
        }
      } catch (err) {
        fail(err);
      }
    });
    sock.on('connect', () => {
      clearTimeout(timer);
      resolve({
        request(apiKey, version, body, ms = timeoutMs) {
          if (failed) return Promise.reject(failed);
          const id = nextId++;
          return new Promise((res, rej) => {
            const t = setTimeout(() => fail(new Error(`timeout waiting for response to api ${apiKey} v${version}`)), ms);
            pending.set(id, {
              resolve: (r) => (clearTimeout(t), res(r)),
              reject: (e) => (clearTimeout(t), rej(e)),
            });
            sock.write(encodeRequest(apiKey, version, id, body));
          });
        },
        close() {
          failed ??= new Error('closed');
          sock.destroy();
        },
      });
    });
  });
}

/** ApiVersions v0 -> Map(apiKey -> {min, max}). */
async function apiVersions(conn) {
  const r = await conn.request(API_VERSIONS, 0, Buffer.alloc(0));
  const errorCode = r.int16();
  if (errorCode !== 0) throw new Error(`ApiVersions error code ${errorCode}`);
  const apis = r.array((x) => [x.int16(), { min: x.int16(), max: x.int16() }]);
  return new Map(apis ?? []);
}

/** Lowest version in [lo, hi] the broker supports, or undefined. */
function pickVersion(apis, apiKey, lo, hi) {
  const a = apis.get(apiKey);
  if (!a) return undefined;
  const v = Math.max(a.min, lo);
  return v <= Math.min(a.max, hi) ? v : undefined;
}

/**
 * Connects to host:port, sends ApiVersions v0 then Metadata v4 (or the lowest supported
 * non-flexible version 4..8) and resolves { brokers: [{nodeId, host, port}], clusterId,
 * controllerId, metadataVersion } if a well-formed response with at least one broker comes back.
 */
export async function probeKafka(host, port, timeoutMs = 2000) {
  const conn = await kafkaConnect(host, port, timeoutMs);
  try {
    const apis = await apiVersions(conn);
    const version = pickVersion(apis, API_METADATA, 4, 8);
    if (version === undefined) {
      const md = apis.get(API_METADATA);
      throw new Error(`no usable Metadata version (broker: ${md ? `v${md.min}-v${md.max}` : 'none'}, probe: v4-v8)`);
    }
    // topics: empty array (=> no topic metadata, brokers only); allow_auto_topic_creation=false
    const r = await conn.request(API_METADATA, version, Buffer.from([0, 0, 0, 0, 0]));
    r.int32(); // throttle_time_ms (v3+)
    const brokers = r.array((x) => {
      const b = { nodeId: x.int32(), host: x.string(), port: x.int32() };
      x.string(); // rack (v1+)
      return b;
    });
    const clusterId = r.string(); // v2+
    const controllerId = r.int32(); // v1+
    if (!brokers || brokers.length === 0) throw new Error('Metadata response lists no brokers yet');
    return { brokers, clusterId, controllerId, metadataVersion: version };
  } finally {
    conn.close();
  }
}

/**
 * Best effort, right after a fresh start: make the broker create __consumer_offsets
 * (FindCoordinator) and allocate producer ids (InitProducerId), so the first consumer group /
 * idempotent producer of a test run does not hit COORDINATOR_NOT_AVAILABLE /
 * COORDINATOR_LOAD_IN_PROGRESS retries (which kafkajs logs as ERROR). Never throws.
 */
async function warmUp(host, port, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let conn;
  try {
    conn = await kafkaConnect(host, port, 2000);
    const apis = await apiVersions(conn);
    const steps = [];
    const fc = pickVersion(apis, API_FIND_COORDINATOR, 1, 2);
    if (fc !== undefined) {
      // key (group id), key_type 0 = group. Response: throttle, error_code, ...
      const body = Buffer.concat([encodeString('puente-infra-warmup'), Buffer.from([0])]);
      steps.push([API_FIND_COORDINATOR, fc, body]);
    }
    const ip = pickVersion(apis, API_INIT_PRODUCER_ID, 0, 1);
    if (ip !== undefined) {
      // transactional_id null (idempotent producer), transaction_timeout_ms. Response: throttle, error_code, ...
      const timeout = Buffer.alloc(4);
      timeout.writeInt32BE(60_000, 0);
      steps.push([API_INIT_PRODUCER_ID, ip, Buffer.concat([encodeString(null), timeout])]);
    }
    for (const [apiKey, version, body] of steps) {
      while (Date.now() < deadline) {
        const r = await conn.request(apiKey, version, body, 5000);
        r.int32(); // throttle_time_ms
        if (r.int16() === 0) break; // error_code NONE
        await sleep(100);
      }
    }
  } catch {
    /* readiness already passed; clients retry anyway */
  } finally {
    conn?.close();
  }
}

function parseBrokers(list) {
  return String(list)
    .split(',')
    .map((s) => s.trim().replace(/^[a-z0-9_]+:\/\//i, ''))
    .filter(Boolean)
    .map((s) => {
      const i = s.lastIndexOf(':');
      if (i <= 0) throw new Error(`Kafka: invalid broker address ${JSON.stringify(s)} in KAFKA_BROKERS (expected host:port).`);
      return { host: s.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(s.slice(i + 1)) };
    });
}

/** Resolves true if any of the given brokers answers a Metadata request. */
async function anyAnswers(brokers, timeoutMs = 2000) {
  const results = await Promise.allSettled(brokers.map((b) => probeKafka(b.host, b.port, timeoutMs)));
  const ok = results.find((r) => r.status === 'fulfilled');
  if (ok) return { ok: true, info: ok.value };
  return { ok: false, error: results.map((r) => r.reason?.message).join('; ') };
}

function portInUse(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (v) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on('connect', () => done(true));
    sock.on('error', () => done(false));
  });
}

/**
 * Polls until the broker answers. `alive()` (optional) lets us stop early when the process died.
 * Resolves { ok: true } | { ok: false, reason: 'timeout' | 'exited', error }.
 */
async function waitReady(brokers, { timeoutMs = READY_TIMEOUT_MS, alive } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const r = await anyAnswers(brokers, 2000);
    if (r.ok) return { ok: true, info: r.info };
    last = r.error;
    if (alive && !alive()) return { ok: false, reason: 'exited', error: last };
    if (Date.now() >= deadline) return { ok: false, reason: 'timeout', error: last };
    await sleep(250);
  }
}

// ---------------------------------------------------------------------------------------------
// Fetch / format / run

function javaBin() {
  const home = process.env.JAVA_HOME;
  if (home) {
    const candidate = path.join(home, 'bin', process.platform === 'win32' ? 'java.exe' : 'java');
    if (fs.existsSync(candidate)) return candidate;
  }
  return 'java';
}

export async function checkJava() {
  const java = javaBin();
  let res;
  try {
    res = await run(java, ['-version']);
  } catch (err) {
    throw failure('java not found', `could not run "${java}" (${err.code ?? err.message}); install a JDK/JRE 17+ or set JAVA_HOME`);
  }
  const m = /version "(\d+)(?:\.(\d+))?/.exec(res.output);
  const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : NaN;
  if (res.code !== 0 || !(major >= 17)) {
    throw failure('java 17 or newer is required', `"${java} -version" reported:`, res.output);
  }
  return java;
}

function jarsPresent() {
  try {
    return (
      fs.readFileSync(VERSION_MARKER, 'utf8').trim() === KAFKA_VERSION &&
      fs.existsSync(path.join(LIBS, `kafka_2.13-${KAFKA_VERSION}.jar`))
    );
  } catch {
    return false;
  }
}

/** Downloads the broker jars with Maven unless they are already in .cache/kafka/libs. */
async function fetchJars(log) {
  if (jarsPresent()) return LIBS;
  fs.mkdirSync(CACHE, { recursive: true });
  const pom = path.join(CACHE, 'pom.xml');
  fs.copyFileSync(POM_TEMPLATE, pom);
  const tmp = path.join(CACHE, 'libs.tmp');
  rmQuiet(tmp);
  log(`Kafka: fetching org.apache.kafka:kafka_2.13:${KAFKA_VERSION} with Maven into ${rel(LIBS)} ...`);
  const started = Date.now();
  const args = [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    pom,
    `-Dkafka.version=${KAFKA_VERSION}`,
    `-Dlog4j.version=${LOG4J_VERSION}`,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${tmp}`,
  ];
  let res;
  try {
    res = await run(process.platform === 'win32' ? 'mvn.cmd' : 'mvn', args, { cwd: CACHE });
  } catch (err) {
    throw failure('fetching jars with Maven failed', `could not run "mvn" (${err.code ?? err.message}); install Apache Maven 3.6+`);
  }
  if (res.code !== 0 || !fs.existsSync(path.join(tmp, `kafka_2.13-${KAFKA_VERSION}.jar`))) {
    rmQuiet(tmp);
    throw failure('fetching jars with Maven failed', `mvn ${args.join(' ')} exited with code ${res.code}`, res.output);
  }
  rmQuiet(LIBS);
  fs.renameSync(tmp, LIBS);
  fs.writeFileSync(VERSION_MARKER, `${KAFKA_VERSION}\n`);
  log(`Kafka: fetched ${fs.readdirSync(LIBS).filter((f) => f.endsWith('.jar')).length} jars in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return LIBS;
}

function writeServerProperties(p) {
  const lines = [
    '# Generated by tools/infra/kafka.mjs -- do not edit (rewritten on every start).',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${HOST}:${p.controllerPort}`,
    `listeners=PLAINTEXT://${HOST}:${p.port},CONTROLLER://${HOST}:${p.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${HOST}:${p.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${p.dataDir}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'num.network.threads=2',
    'num.io.threads=2',
    '',
  ];
  fs.mkdirSync(path.dirname(p.serverProps), { recursive: true });
  fs.writeFileSync(p.serverProps, lines.join('\n'));
}

function jvmLogArgs(p) {
  return [`-Dlog4j2.configurationFile=${LOG4J_CONFIG}`, `-Dkafka.logs.dir=${p.logs}`];
}

/** Kafka Uuid string: 16 random bytes, base64url without padding (same as `kafka-storage random-uuid`). */
function randomClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Test runs start a dozen short-lived brokers (and MirrorMakers) that carry a few hundred records
 * each: there, the C1 compiler alone and the serial collector halve a broker's start (measured:
 * 3.4 instead of 6.1 CPU-seconds, ready in 3.9 instead of 10.4 s on a busy 2-core machine).
 * KAFKA_JVM_QUICK=1 asks for that (tools/test.mjs and Jest's global setup set it); a broker
 * that serves real load keeps the default: C2 and G1 with short pauses.
 */
export const QUICK_JVM = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

export function quickJvm(env = process.env) {
  return env.KAFKA_JVM_QUICK === '1' || env.KAFKA_JVM_QUICK === 'true';
}

function brokerJvmTuning() {
  return quickJvm() ? QUICK_JVM : ['-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20'];
}

async function formatStorage(java, p, log) {
  if (fs.existsSync(path.join(p.dataDir, 'meta.properties'))) return;
  // No meta.properties => nothing usable in there; start from a clean directory.
  rmQuiet(p.dataDir);
  fs.mkdirSync(p.logs, { recursive: true });
  const clusterId = randomClusterId();
  log(`Kafka: formatting KRaft storage ${rel(p.dataDir)} (cluster id ${clusterId})`);
  const args = [
    '-Xmx256m',
    ...(quickJvm() ? QUICK_JVM : []),
    '-Djava.awt.headless=true',
    ...jvmLogArgs(p),
    '-cp',
    path.join(LIBS, '*'),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    p.serverProps,
  ];
  let res;
  try {
    res = await run(java, args);
  } catch (err) {
    throw failure('formatting KRaft storage failed', `could not run "${java}" (${err.code ?? err.message})`);
  }
  if (res.code !== 0 || !fs.existsSync(path.join(p.dataDir, 'meta.properties'))) {
    rmQuiet(p.dataDir);
    throw failure('formatting KRaft storage failed', `StorageTool exited with code ${res.code}`, res.output);
  }
}

function spawnBroker(java, p) {
  fs.mkdirSync(p.logs, { recursive: true });
  const args = [
    '-Xms256m',
    '-Xmx768m',
    ...brokerJvmTuning(),
    '-Djava.awt.headless=true',
    ...jvmLogArgs(p),
    '-cp',
    path.join(LIBS, '*'),
    'kafka.Kafka',
    p.serverProps,
  ];
  const out = fs.openSync(p.stdoutLog, 'w');
  fs.writeSync(out, `# ${new Date().toISOString()} ${java} ${args.join(' ')}\n`);
  let child;
  try {
    child = spawn(java, args, { cwd: CACHE, detached: true, stdio: ['ignore', out, out] });
  } finally {
    fs.closeSync(out);
  }
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  child.on('error', () => {
    exited = true;
  });
  child.unref();
  return { child, alive: () => !exited && isAlive(child.pid) };
}

/** Last lines of server.log and stdout.log, without Java stack frames (they crowd out the cause). */
function logTails(p, serverLogOffset = 0) {
  const clean = (text) =>
    text
      .split('\n')
      .filter((l) => !/^\s+at |^\s*\.\.\. \d+ more|^# /.test(l))
      .slice(-TAIL_LINES)
      .join('\n')
      .trim();
  const server = clean(tailFile(p.serverLog, 200, serverLogOffset));
  const stdout = clean(tailFile(p.stdoutLog, 200));
  return [server && `[${rel(p.serverLog)}]\n${server}`, stdout && `[${rel(p.stdoutLog)}]\n${stdout}`]
    .filter(Boolean)
    .join('\n');
}

export async function killPid(pid, { timeoutMs = STOP_TIMEOUT_MS } = {}) {
  if (!isAlive(pid)) return 'not running';
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    if (err.code === 'ESRCH') return 'not running';
    throw err;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(100);
  }
  return killNow(pid);
}

/** SIGKILL, then waits (up to 5 s) until the process is gone. */
export async function killNow(pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if (err.code === 'ESRCH') return 'not running';
    throw err;
  }
  const deadline = Date.now() + 5000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(20);
  return 'killed';
}

// ---------------------------------------------------------------------------------------------
// Public API

/** brokers string -> port, for brokers that ensureKafka() spawned in this process. */
const startedInThisProcess = new Map();

/** Downloads the broker jars if needed; resolves the libs directory. */
export async function fetchKafka({ log = console.error } = {}) {
  return withLock(() => fetchJars(log));
}

/** The pid of the broker this tool runs on `port` (KAFKA_PORT by default), or undefined (none, or one it did not start). */
export function localBrokerPid(port = kafkaPort()) {
  const p = paths(port);
  const pid = readPid(p.pidFile);
  return pid && isKafkaProcess(pid, p.serverProps) ? pid : undefined;
}

/**
 * Makes sure a Kafka broker answers and resolves { brokers, startedHere }.
 * startedHere is true only if this call spawned the broker (callers that see true may stop it).
 * `fresh`: when this call starts the broker (not when it reuses one), it starts from empty
 * storage. Test runs use it so topics never carry events from earlier runs (every test consumer
 * group reads from the beginning).
 */
export async function ensureKafka({ log = console.error, fresh = false, port } = {}) {
  // An explicit `port` (a second node's broker, e.g. federation tests) ignores KAFKA_BROKERS.
  if (process.env.KAFKA_BROKERS && port === undefined) {
    const list = parseBrokers(process.env.KAFKA_BROKERS);
    const r = await waitReady(list, { timeoutMs: READY_TIMEOUT_MS });
    if (!r.ok) {
      throw new Error(
        `Kafka: KAFKA_BROKERS=${process.env.KAFKA_BROKERS} did not answer a Metadata request within ${READY_TIMEOUT_MS / 1000} s (${r.error}).\n` +
          'Check that the broker is up and reachable on a PLAINTEXT listener, or unset KAFKA_BROKERS to let tools/infra/kafka.mjs start one.',
      );
    }
    return { brokers: process.env.KAFKA_BROKERS, startedHere: false };
  }

  const p = paths(port ?? kafkaPort());
  const target = [{ host: HOST, port: p.port }];

  return withLock(async () => {
    // 1. A broker we started earlier?
    const pid = readPid(p.pidFile);
    if (pid && isKafkaProcess(pid, p.serverProps)) {
      const r = await waitReady(target, { alive: () => isAlive(pid) });
      if (r.ok) {
        log(`Kafka: reusing broker pid ${pid} on ${p.brokers}`);
        return { brokers: p.brokers, startedHere: false };
      }
      if (r.reason === 'timeout') {
        throw failure(
          `broker pid ${pid} (from ${rel(p.pidFile)}) is running but did not answer within ${READY_TIMEOUT_MS / 1000} s`,
          `see ${rel(p.logs)}/; "node tools/infra/kafka.mjs stop" kills it`,
          logTails(p),
          Infinity,
        );
      }
    }
    if (pid) log(`Kafka: removing stale pid file ${rel(p.pidFile)} (pid ${pid} is not a running Kafka broker)`);
    rmQuiet(p.pidFile);

    // 2. Something else already serving Kafka on the port (another checkout, a container...)?
    if (await portInUse(HOST, p.port)) {
      const r = await waitReady(target, { timeoutMs: 10_000 });
      if (r.ok) {
        log(`Kafka: reusing the Kafka broker already listening on ${p.brokers} (not started by this repo)`);
        return { brokers: p.brokers, startedHere: false };
      }
      throw failure(
        `port ${p.port} is in use but does not answer as a Kafka broker`,
        `(${r.error}); free the port or choose another one with KAFKA_PORT`,
      );
    }

    if (await portInUse(HOST, p.controllerPort)) {
      throw failure(
        `controller port ${p.controllerPort} (KAFKA_PORT+1) is already in use`,
        'free it or choose another KAFKA_PORT',
      );
    }

    // 3. Start our own.
    const java = await checkJava();
    await withLock(() => fetchJars(log));
    writeServerProperties(p);
    if (fresh) rmQuiet(p.dataDir);
    await formatStorage(java, p, log);

    log(`Kafka: starting ${KAFKA_VERSION} (KRaft) on ${p.brokers}, logs in ${rel(p.logs)}/`);
    const started = Date.now();
    const serverLogOffset = fileSize(p.serverLog);
    const { child, alive } = spawnBroker(java, p);
    if (!child.pid) {
      throw failure('starting the broker failed', `could not spawn "${java}"`, logTails(p, serverLogOffset), Infinity);
    }
    fs.writeFileSync(p.pidFile, `${child.pid}\n`);

    const r = await waitReady(target, { alive });
    if (!r.ok) {
      await killPid(child.pid, { timeoutMs: 5000 });
      rmQuiet(p.pidFile);
      const what =
        r.reason === 'exited'
          ? `broker process exited during startup; see ${rel(p.logs)}/`
          : `broker did not become ready within ${READY_TIMEOUT_MS / 1000} s; see ${rel(p.serverLog)}`;
      throw failure(what, `last probe error: ${r.error}`, logTails(p, serverLogOffset), Infinity);
    }
    await warmUp(HOST, p.port);
    log(`Kafka: ready on ${p.brokers} (pid ${child.pid}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    startedInThisProcess.set(p.brokers, p.port);
    return { brokers: p.brokers, startedHere: true };
  }, path.join(CACHE, `.lock-${p.port}`));
}

/**
 * Stops the broker this repo's tooling started (pid file for KAFKA_PORT); no-op if none.
 * With KAFKA_BROKERS set this does nothing -- unless KAFKA_BROKERS names a broker that
 * ensureKafka() started in this very process (callers commonly export the brokers string
 * after ensureKafka() and later call stopKafka() in the same process, e.g. jest global setup).
 * `kill: true` sends SIGKILL at once: for a test broker whose storage is thrown away (its next
 * start is fresh), a controlled shutdown only costs the run time.
 */
export async function stopKafka({ log = console.error, port: explicitPort, kill = false } = {}) {
  let port = explicitPort;
  if (port !== undefined) {
    // an explicit port: that broker, whatever KAFKA_BROKERS says
  } else if (process.env.KAFKA_BROKERS) {
    port = startedInThisProcess.get(process.env.KAFKA_BROKERS.trim());
    if (port === undefined) {
      log(`Kafka: KAFKA_BROKERS is set (${process.env.KAFKA_BROKERS}); not stopping anything`);
      return;
    }
  } else {
    port = kafkaPort();
  }
  const p = paths(port);
  startedInThisProcess.delete(p.brokers);
  const pid = readPid(p.pidFile);
  if (!pid || !isKafkaProcess(pid, p.serverProps)) {
    rmQuiet(p.pidFile);
    log(`Kafka: no broker started by this repo is running on ${p.brokers}`);
    return;
  }
  log(`Kafka: stopping broker pid ${pid} on ${p.brokers} ...`);
  const started = Date.now();
  const how = kill ? await killNow(pid) : await killPid(pid);
  rmQuiet(p.pidFile);
  if (kill) log(`Kafka: killed broker pid ${pid} on ${p.brokers}`);
  else if (how === 'killed') log(`Kafka: broker pid ${pid} did not stop within ${STOP_TIMEOUT_MS / 1000} s and was killed`);
  else log(`Kafka: stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** { running, pid?, brokers }: running means a broker answers; pid is set when it is ours. */
export async function kafkaStatus({ port } = {}) {
  if (process.env.KAFKA_BROKERS && port === undefined) {
    const r = await anyAnswers(parseBrokers(process.env.KAFKA_BROKERS));
    return { running: r.ok, brokers: process.env.KAFKA_BROKERS };
  }
  const p = paths(port ?? kafkaPort());
  const pid = readPid(p.pidFile);
  const ours = pid && isKafkaProcess(pid, p.serverProps) ? pid : undefined;
  const r = await anyAnswers([{ host: HOST, port: p.port }]);
  return ours ? { running: r.ok, pid: ours, brokers: p.brokers } : { running: r.ok, brokers: p.brokers };
}

// ---------------------------------------------------------------------------------------------
// CLI

async function main(argv) {
  const cmd = argv[0];
  switch (cmd) {
    case 'fetch':
      console.log(await fetchKafka());
      return 0;
    case 'start': {
      const { brokers } = await ensureKafka();
      console.log(brokers);
      return 0;
    }
    case 'stop':
      await stopKafka();
      return 0;
    case 'status':
      console.log(JSON.stringify(await kafkaStatus()));
      return 0;
    default:
      console.error('usage: node tools/infra/kafka.mjs fetch|start|stop|status');
      return cmd ? 1 : 0;
  }
}

/**
 * Runs `main(argv)` when the module at `moduleUrl` is the script node was started with; exits
 * with its code, or 1 with the error's message. Shared by the infra tools' command lines.
 */
export function runIfMain(moduleUrl, main) {
  let isMain = false;
  try {
    isMain = !!process.argv[1] && moduleUrl === pathToFileURL(fs.realpathSync(process.argv[1])).href;
  } catch {
    isMain = false;
  }
  if (!isMain) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err?.message ?? err);
      process.exit(1);
    },
  );
}

runIfMain(import.meta.url, main);
