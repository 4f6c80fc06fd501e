// `npm test` (tools/test.mjs, which .ci/run calls) also runs ESLint and buf lint and fails when
// either does. These tests run the same checks, with the same exit-code rule, on a scratch
// workspace (running `npm test` from inside `npm test` would recurse).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

jest.setTimeout(120_000);

const root = join(__dirname, '..');

const files = {
  'eslint.config.mjs': "export default [{ files: ['**/*.js'], rules: { 'no-unused-vars': 'error', 'no-console': 'warn' } }];\n",
  'src/fine.js': 'export const answer = 42;\n',
  'proto/buf.yaml': 'version: v2\nmodules:\n  - path: .\nlint:\n  use:\n    - STANDARD\n',
  'proto/puente/scratch/v1/thing.proto': 'syntax = "proto3";\n\npackage puente.scratch.v1;\n\nmessage Thing {\n  string id = 1;\n}\n',
};

/** A scratch workspace: the clean files above, with `changes` on top. */
function workspace(changes: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'puente-habits-'));
  for (const [file, text] of Object.entries({ ...files, ...changes })) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

/** tools/test.mjs's checks on `dir`, and the exit code `npm test` would give with Jest green. */
function check(dir: string): { checks: { name: string; ok: boolean }[]; code: number } {
  const code = `const t = await import(${JSON.stringify(join(root, 'tools/test.mjs'))});
    const checks = await t.runChecks(t.habits(${JSON.stringify(dir)}), { stdio: 'ignore' });
    console.log(JSON.stringify({ checks, code: t.exitCode(checks, 0) }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe('npm test fails when lint or buf lint does', () => {
  const dirs: string[] = [];
  const run = (changes?: Record<string, string>) => {
    const dir = workspace(changes);
    dirs.push(dir);
    return check(dir);
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('passes a clean workspace', () => {
    expect(run()).toEqual({ checks: [{ name: 'lint', ok: true }, { name: 'buf lint', ok: true }], code: 0 });
  });

  it('fails on an ESLint error', () => {
    expect(run({ 'src/bad.js': 'const unused = 1;\nexport const x = 2;\n' })).toEqual({
      checks: [{ name: 'lint', ok: false }, { name: 'buf lint', ok: true }],
      code: 1,
    });
  });

  it('fails on a single ESLint warning (--max-warnings=0)', () => {
    expect(run({ 'src/warn.js': "console.log('x');\n" })).toMatchObject({ checks: [{ name: 'lint', ok: false }, { name: 'buf lint', ok: true }], code: 1 });
  });

  it('fails on a buf lint violation (enum without a zero _UNSPECIFIED value)', () => {
    const proto = `${files['proto/puente/scratch/v1/thing.proto']}\nenum Colour {\n  RED = 0;\n}\n`;
    expect(run({ 'proto/puente/scratch/v1/thing.proto': proto })).toEqual({
      checks: [{ name: 'lint', ok: true }, { name: 'buf lint', ok: false }],
      code: 1,
    });
  });

  it('keeps a failing Jest exit code when every check passes', () => {
    const code = `const t = await import(${JSON.stringify(join(root, 'tools/test.mjs'))});
      console.log(JSON.stringify([t.exitCode([{ name: 'lint', ok: true }], 1), t.exitCode([{ name: 'lint', ok: true }], 0), t.exitCode([{ name: 'lint', ok: false }], 0)]));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(r.stdout)).toEqual([1, 0, 1]);
  });
});
