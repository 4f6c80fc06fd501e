// `npm run demo`: journey A (Guatemala → Mexico) against the two nodes `npm start -- --nodes GT,MX`
// runs, narrated step by step with the Swagger link of each call. The steps are the module
// e2e/journeys/journey-a.ts, which e2e/journey-a.spec.ts runs too, so the demo cannot rot.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './ensure-deps.mjs';

const child = spawn(process.execPath, ['-r', '@swc-node/register', join(repoRoot, 'tools/demo-journey-a.ts'), ...process.argv.slice(2)], { cwd: repoRoot, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
