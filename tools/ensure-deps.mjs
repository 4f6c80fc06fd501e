// Installs npm dependencies when they are missing or older than package-lock.json, so a fresh
// clone needs nothing but `npm start` or `npm test`. Uses only Node built-ins.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export function ensureDeps({ log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const lock = join(repoRoot, 'package-lock.json');
  const stamp = join(repoRoot, 'node_modules', '.puente-lock.sha256');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return false;
  // Installed by hand with `npm ci` (no stamp yet): npm's own record of what it installed says
  // whether the tree matches the lock; reinstalling under running tests would break them.
  if (installedTreeMatches(lock)) {
    writeFileSync(stamp, want);
    return false;
  }
  log('deps: installing npm dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) {
    throw new Error('deps: `npm ci` failed; check your network access to the npm registry and rerun');
  }
  writeFileSync(stamp, want);
  return true;
}

/**
 * True when node_modules/.package-lock.json (written by npm after every install) has exactly the
 * lock's versions: every installed package at the lock's version, every non-optional one there.
 */
function installedTreeMatches(lock) {
  const hiddenLock = join(repoRoot, 'node_modules', '.package-lock.json');
  if (!existsSync(hiddenLock)) return false;
  try {
    const wanted = JSON.parse(readFileSync(lock, 'utf8')).packages ?? {};
    const installed = JSON.parse(readFileSync(hiddenLock, 'utf8')).packages ?? {};
    for (const [path, entry] of Object.entries(installed)) {
      if (wanted[path]?.version !== entry.version) return false;
    }
    for (const [path, entry] of Object.entries(wanted)) {
      if (path !== '' && !entry.optional && !entry.link && installed[path] === undefined) return false;
    }
    return true;
  } catch {
    return false;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    ensureDeps();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
