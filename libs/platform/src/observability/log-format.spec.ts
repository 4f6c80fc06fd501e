// A developer reads logs at a terminal; production ships JSON lines to a log store. The format
// follows LOG_FORMAT, else the terminal, and production is always JSON.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '../testing/eventually';
import { logFormatOf } from './logging';

const ROOT = join(__dirname, '..', '..', '..', '..');
const ENTRY = join(__dirname, '..', 'spec', 'bootstrap.main.ts');

describe('logFormatOf', () => {
  it.each([
    [{ NODE_ENV: 'development' as const }, true, 'pretty'],
    [{ NODE_ENV: 'development' as const }, false, 'json'],
    [{ NODE_ENV: 'test' as const, LOG_FORMAT: 'pretty' as const }, false, 'pretty'],
    [{ NODE_ENV: 'development' as const, LOG_FORMAT: 'json' as const }, true, 'json'],
    [{ NODE_ENV: 'production' as const }, true, 'json'],
    [{ NODE_ENV: 'production' as const, LOG_FORMAT: 'pretty' as const }, true, 'json'],
  ])('%j with a terminal: %s gives %s', (config, terminal, format) => {
    expect(logFormatOf(config, terminal)).toBe(format);
  });
});

/** Starts the spec service in its own process (stdout is a pipe, as under `npm start`). */
function start(env: Record<string, string>) {
  const base = { ...process.env };
  delete base.FORCE_COLOR; // colorette reads any FORCE_COLOR, even 0, as "force"
  const child = spawn(process.execPath, ['-r', '@swc-node/register', ENTRY], {
    cwd: ROOT,
    env: { ...base, NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const closed = new Promise((resolve) => child.on('close', resolve));
  /** Resolves with the output once `pattern` appears in it; fails after `ms`. */
  const waitFor = async (pattern: RegExp, ms = 20_000): Promise<string> => {
    await eventually(`${pattern} in the output`, () => pattern.test(out), ms, 50).catch((e: Error) => {
      throw new Error(`${e.message}:\n${out.slice(-2000)}`);
    });
    return out;
  };
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await closed;
  };
  return { waitFor, stop };
}

describe('log lines of a running service', () => {
  jest.setTimeout(30_000);

  it('LOG_FORMAT=pretty: one readable line per record (time, level, [context] message, request summary), no JSON', async () => {
    const service = start({ LOG_FORMAT: 'pretty', NO_COLOR: '1' });
    try {
      const url = /READY (http:\/\/\S+)/.exec(await service.waitFor(/READY http:\/\/\S+\n/))?.[1] as string;
      await service.waitFor(/listening on/);
      expect((await fetch(`${url}/v1/widgets/boom`)).status).toBe(500);
      const out = await service.waitFor(/GET \/v1\/widgets\/boom 500/);
      const lines = out.split('\n').filter((l) => /^\[\d\d:\d\d:\d\d\.\d{3}\] /.test(l));
      expect(lines.find((l) => l.includes('listening on'))).toMatch(/^\[[\d:.]+\] INFO: \[Bootstrap\] platform-spec listening on http:\/\/127\.0\.0\.1:\d+ \(API docs: /);
      expect(lines.find((l) => l.includes('GET /v1/widgets/boom 500'))).toMatch(/^\[[\d:.]+\] ERROR: request errored GET \/v1\/widgets\/boom 500 \d+ ms/);
      expect(out).not.toMatch(/^\{"level"/m);
    } finally {
      await service.stop();
    }
  });

  it('LOG_FORMAT=pretty with FORCE_COLOR (what `npm start` passes on a terminal): coloured levels', async () => {
    const service = start({ LOG_FORMAT: 'pretty', FORCE_COLOR: '1' });
    try {
      const out = await service.waitFor(/listening on/);
      // eslint-disable-next-line no-control-regex
      expect(out.split('\n').find((l) => l.includes('listening on'))).toMatch(/^\[[\d:.]+\] \x1b\[32mINFO\x1b\[39m: /);
    } finally {
      await service.stop();
    }
  });

  it('LOG_FORMAT=json: JSON lines', async () => {
    const service = start({ LOG_FORMAT: 'json' });
    try {
      const out = await service.waitFor(/listening on/);
      const listening = out.split('\n').find((l) => l.includes('listening on')) as string;
      expect(JSON.parse(listening)).toMatchObject({ level: 'info', service: 'platform-spec' });
    } finally {
      await service.stop();
    }
  });
});
