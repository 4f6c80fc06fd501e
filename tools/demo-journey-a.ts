// The demo's runner (tools/demo.mjs starts it): finds the nodes `npm start -- --nodes GT,MX`
// started (the same ports it prints: GT 3001-3005, MX 3101-3105, moved by INTAKE_PORT, ...),
// signs the callers' tokens with the development key the services trust (as `npm run token`
// does), and runs journey A, one readable line per step and call.
import { join, resolve } from 'node:path';
import { runJourneyA, type NodeServices } from '../e2e/journeys/journey-a';
import { DevIssuer } from '../libs/auth/src/dev-issuer';

const DEFAULT_PORTS = { intake: 3001, screening: 3002, 'referral-routing': 3003, reception: 3004 };
const port = (service: keyof typeof DEFAULT_PORTS) => Number(process.env[`${service.toUpperCase().replace(/-/g, '_')}_PORT`] ?? DEFAULT_PORTS[service]);
/** Node k of `--nodes GT,MX` listens 100·k above the one-node ports, as tools/start.mjs places it. */
const servicesOf = (k: number): NodeServices => ({
  intake: `http://127.0.0.1:${port('intake') + 100 * k}`,
  screening: `http://127.0.0.1:${port('screening') + 100 * k}`,
  routing: `http://127.0.0.1:${port('referral-routing') + 100 * k}`,
  reception: `http://127.0.0.1:${port('reception') + 100 * k}`,
});

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5_000) })).ok;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const nodes = { GT: servicesOf(0), MX: servicesOf(1) };
  const needed = [
    ['GT', 'intake', nodes.GT.intake],
    ['GT', 'screening', nodes.GT.screening],
    ['GT', 'referral-routing', nodes.GT.routing],
    ['MX', 'intake', nodes.MX.intake],
    ['MX', 'referral-routing', nodes.MX.routing],
    ['MX', 'reception', nodes.MX.reception],
  ] as const;
  const down = (await Promise.all(needed.map(async ([node, service, url]) => ((await ready(url)) ? null : `${node} ${service} at ${url}`)))).filter(Boolean);
  if (down.length > 0) {
    process.stderr.write(
      [
        'demo: journey A needs nodes GT and MX running, and these do not answer /health/ready:',
        ...down.map((d) => `  ${d}`),
        'Start both nodes in another terminal and run `npm run demo` again once it prints "Puente is up":',
        '  npm start -- --nodes GT,MX',
        '',
      ].join('\n'),
    );
    return 1;
  }
  const issuer = new DevIssuer({ dir: process.env.AUTH_DEV_DIR ? resolve(process.env.AUTH_DEV_DIR) : join(__dirname, '..', '.secrets') });
  await issuer.ensureKey();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say('Journey A, Guatemala → Mexico: a Honduran mother and her two children, from an MRC in Guatemala City to a shelter in Tapachula.');
  say(`Node GT: ${nodes.GT.intake}/docs …   Node MX: ${nodes.MX.intake}/docs …   Each call below: method, node, service, path, Swagger link.`);
  await runJourneyA({
    nodes,
    token: (caller) => issuer.mint({ node: caller.node, jurisdictions: [caller.node], partnerId: caller.partnerId, clientId: caller.clientId, scopes: caller.scopes, ttlSeconds: 900 }),
    say,
    seed: Math.floor(Date.now() / 1000) % 100_000,
    waitMs: 60_000,
  });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`\ndemo: ${error.message}\n`);
    process.exit(1);
  },
);
