import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

export interface TsProcess {
  child: ChildProcess;
  /** Resolves with the first stdout line that matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/**
 * Runs a TypeScript file of this repo in its own Node process (SWC-compiled on the fly), for
 * tests that kill a real process (SIGKILL) and restart it.
 */
export function spawnTs(file: string, env: Record<string, string> = {}): TsProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', file], {
    cwd: root,
    env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      const line = out.split('\n').find((l) => w.re.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': it comes after the child's stdout and stderr were read to the end.
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exited,
    output: () => out,
    waitFor(re, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const line = out.split('\n').find((l) => re.test(l));
        if (line !== undefined) return resolve(line);
        const timer = setTimeout(() => reject(new Error(`process did not print ${re} within ${timeoutMs} ms:\n${out.slice(-2000)}`)), timeoutMs);
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then(({ code, signal }) => reject(new Error(`process exited (${code ?? signal}) before printing ${re}:\n${out.slice(-2000)}`)));
      });
    },
  };
}

export interface TsRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript command of this repo (e.g. `tools/outbox.ts`) to completion, as an operator would from the root. */
export function runTs(file: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<TsRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', file, ...args],
      { cwd: root, env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.json'), ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}
