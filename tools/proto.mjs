#!/usr/bin/env node
// Protobuf contracts: generate, lint and staleness check, all with the local buf CLI
// (node_modules/.bin/buf) and the local protoc-gen-es plugin. Works offline.
//
//   node tools/proto.mjs generate               regenerate libs/contracts/src/gen
//   node tools/proto.mjs lint                   buf lint (STANDARD) + buf format check
//   node tools/proto.mjs check [--proto <dir>]  generate into a temp dir and compare with
//                                               libs/contracts/src/gen; exit 1 naming stale files
//   node tools/proto.mjs breaking --against <input>
//                                               buf breaking (FILE), e.g. --against '.git#branch=main,subdir=proto'
//
// Exported functions (generateProto, lintProto, checkGenerated, breakingProto) are usable
// from other scripts; the Jest spec spawns this CLI instead, since CJS Jest cannot import ESM.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PROTO_DIR = path.join(ROOT, 'proto');
export const TEMPLATE = path.join(PROTO_DIR, 'buf.gen.yaml');
/** Must match `out` in proto/buf.gen.yaml (relative to the repository root). */
export const GEN_OUT = 'libs/contracts/src/gen';
export const GEN_DIR = path.join(ROOT, GEN_OUT);

const BUF = path.join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'buf.cmd' : 'buf');

/** Runs buf from the repository root (buf.gen.yaml paths are relative to it). */
function buf(args) {
  return new Promise((resolve, reject) => {
    if (!existsSync(BUF)) {
      reject(new Error(`buf CLI not found at ${BUF}; run npm ci`));
      return;
    }
    const child = spawn(BUF, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

function rel(p) {
  return path.relative(ROOT, p) || '.';
}

/** Regenerates the TypeScript into GEN_DIR (the template has clean: true). */
export async function generateProto({ protoDir = PROTO_DIR, outBase } = {}) {
  const args = ['generate', rel(protoDir), '--template', rel(TEMPLATE)];
  if (outBase) args.push('--output', outBase);
  const { code, output } = await buf(args);
  if (code !== 0) throw new Error(`buf generate failed (exit ${code}):\n${output}`);
  return output;
}

/** buf lint plus buf format --diff: ok only if both pass. */
export async function lintProto({ protoDir = PROTO_DIR } = {}) {
  const lint = await buf(['lint', rel(protoDir)]);
  const format = await buf(['format', rel(protoDir), '--diff', '--exit-code']);
  const output = [
    lint.output.trim() && `buf lint:\n${lint.output.trim()}`,
    format.output.trim() && `buf format (run: npx buf format -w proto):\n${format.output.trim()}`,
  ]
    .filter(Boolean)
    .join('\n');
  return { ok: lint.code === 0 && format.code === 0, output };
}

/** buf breaking against another input (git ref, directory, image). */
export async function breakingProto({ protoDir = PROTO_DIR, against }) {
  if (!against) throw new Error('breaking needs --against <input>, e.g. ".git#branch=main,subdir=proto"');
  const { code, output } = await buf(['breaking', rel(protoDir), '--against', against]);
  return { ok: code === 0, output: output.trim() };
}

async function listFiles(dir, base = dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, base)));
    else out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out.sort();
}

/**
 * Generates from `protoDir` into a temporary directory and compares with the committed
 * GEN_DIR. Returns the stale files (relative to the repo root), each with a reason:
 * 'changed', 'missing' (should exist but does not) or 'extra' (exists but would not be generated).
 * An empty list means the committed code is up to date.
 */
export async function checkGenerated({ protoDir = PROTO_DIR } = {}) {
  const tmp = await mkdtemp(path.join(tmpdir(), 'puente-proto-check-'));
  try {
    await generateProto({ protoDir, outBase: tmp });
    const fresh = path.join(tmp, GEN_OUT);
    const [want, have] = await Promise.all([listFiles(fresh), listFiles(GEN_DIR)]);
    if (want.length === 0) throw new Error(`buf generate produced no files under ${fresh}`);
    const stale = [];
    for (const f of new Set([...want, ...have])) {
      const file = `${GEN_OUT}/${f}`;
      if (!have.includes(f)) stale.push({ file, reason: 'missing' });
      else if (!want.includes(f)) stale.push({ file, reason: 'extra' });
      else {
        const [a, b] = await Promise.all([readFile(path.join(fresh, f)), readFile(path.join(GEN_DIR, f))]);
        if (!a.equals(b)) stale.push({ file, reason: 'changed' });
      }
    }
    return stale.sort((x, y) => x.file.localeCompare(y.file));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function option(args, name) {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (!value || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

async function main(argv) {
  const [command, ...args] = argv;
  const protoOpt = option(args, '--proto');
  const protoDir = protoOpt ? path.resolve(protoOpt) : PROTO_DIR;
  switch (command) {
    case 'generate': {
      await generateProto({ protoDir });
      console.log(`generated ${GEN_OUT} from ${rel(protoDir)}`);
      return 0;
    }
    case 'lint': {
      const { ok, output } = await lintProto({ protoDir });
      if (output) console.error(output);
      console.log(ok ? `buf lint: ${rel(protoDir)} ok` : 'buf lint: FAILED');
      return ok ? 0 : 1;
    }
    case 'check': {
      const stale = await checkGenerated({ protoDir });
      if (stale.length === 0) {
        console.log(`${GEN_OUT} is up to date with ${rel(protoDir)}`);
        return 0;
      }
      console.error(`Generated code is stale (run: node tools/proto.mjs generate):`);
      for (const s of stale) console.error(`  ${s.reason.padEnd(7)} ${s.file}`);
      return 1;
    }
    case 'breaking': {
      const { ok, output } = await breakingProto({ protoDir, against: option(args, '--against') });
      if (output) console.error(output);
      console.log(ok ? 'buf breaking: no breaking changes' : 'buf breaking: FAILED');
      return ok ? 0 : 1;
    }
    default:
      console.error('usage: node tools/proto.mjs generate|lint|check|breaking [--proto <dir>] [--against <input>]');
      return 2;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
