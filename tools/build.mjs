// Builds every service and library to dist/ with SWC: one file in, one file out (no bundling,
// so TypeORM entities and migrations stay the explicit classes they are), decorator metadata
// kept for Nest DI, and `@puente/*` imports rewritten to relative paths. Type checking is
// separate (`npm run typecheck`, part of `npm test`), which keeps this step to a few seconds.
import { transformFile } from '@swc/core';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { repoRoot } from './ensure-deps.mjs';

const outDir = join(repoRoot, 'dist');
const tsconfig = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.base.json'), 'utf8'));
const swcrc = JSON.parse(readFileSync(join(repoRoot, '.swcrc'), 'utf8'));

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

export async function build({ log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const t0 = Date.now();
  rmSync(outDir, { recursive: true, force: true });
  const roots = ['libs', 'services']
    .flatMap((top) => readdirSync(join(repoRoot, top)).map((p) => join(repoRoot, top, p, 'src')))
    .filter((dir) => existsSync(dir));
  const jobs = [];
  for (const root of roots) {
    for (const file of walk(root)) {
      if (file.endsWith('.spec.ts') || file.includes(`${join('src', 'spec')}/`)) continue;
      const out = join(outDir, relative(repoRoot, file));
      mkdirSync(dirname(out), { recursive: true });
      if (file.endsWith('.ts')) {
        jobs.push(
          transformFile(file, {
            ...swcrc,
            $schema: undefined,
            swcrc: false,
            filename: file,
            jsc: { ...swcrc.jsc, baseUrl: repoRoot, paths: tsconfig.compilerOptions.paths },
            sourceMaps: true,
          }).then(({ code, map }) => {
            const js = out.replace(/\.ts$/, '.js');
            writeFileSync(js, `${code}\n//# sourceMappingURL=${js.split('/').pop()}.map\n`);
            if (map) writeFileSync(`${js}.map`, map);
          }),
        );
      } else if (!file.endsWith('.js')) {
        copyFileSync(file, out);
      }
    }
  }
  await Promise.all(jobs);
  log(`build: ${jobs.length} files compiled to dist/ in ${Date.now() - t0} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  build().catch((e) => {
    console.error(`build failed: ${e.message}`);
    process.exit(1);
  });
}
