import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../../..');

// `npm run bench -- matching` in miniature, so the scenario cannot rot: bench/matching.ts itself
// (the real service in its process, PostgreSQL, Kafka, HTTP), on a few hundred rows; it fails when
// the index ever disagrees with the brute force.
describe('bench matching (smoke: the scenario on a few hundred rows)', () => {
  it('loads, ranks both ways equal to the brute force, answers over HTTP and writes its result', async () => {
    const results = mkdtempSync(join(tmpdir(), 'puente-bench-matching-'));
    const env = {
      ...process.env,
      BENCH_OPENINGS: '400',
      BENCH_PROFILES: '800',
      BENCH_QUERIES: '25',
      BENCH_HTTP_REQUESTS: '5',
      BENCH_RESULTS_DIR: results,
      BENCH_DB_PREFIX: `${process.env.PUENTE_DB_PREFIX || 'puente_test_'}benchsmoke_`,
      SWC_NODE_PROJECT: join(root, 'tsconfig.json'),
    };
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', join(root, 'bench/matching.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
      const deadline = setTimeout(() => child.kill('SIGTERM'), 100_000);
      child.on('exit', (c) => {
        clearTimeout(deadline);
        resolve(c);
      });
    });
    if (code !== 0) throw new Error(`bench/matching.ts exited with ${code}:\n${output.join('').slice(-4000)}`);
    const [file] = readdirSync(results).filter((f) => f.startsWith('matching-'));
    const written = JSON.parse(readFileSync(join(results, file), 'utf8'));
    expect(written).toMatchObject({
      scenario: 'matching',
      machine: { cpus: expect.any(Number), node: process.version, gitCommit: expect.stringMatching(/^[0-9a-f]{40}$/) },
      options: { openings: 400, profiles: 800, queries: 25, httpRequests: 5 },
      data: { openings: 400, profiles: 800 },
      indexEqualsBruteForce: { personQueries: 25, openingQueries: 25 },
      openingsForPerson: { targetP99Ms: 50, index: { n: 25 }, bruteForce: { n: 25 }, http: { n: 5 } },
      peopleForOpening: { targetP99Ms: 200, index: { n: 25 }, bruteForce: { n: 25 }, http: { n: 5 } },
    });
  }, 120_000);
});
