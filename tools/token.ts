// Dev token command: prints an access token signed by the local dev key (created on first use
// under .secrets/, with the public JWKS the services trust outside production).
//   npm run -s token -- --partner GT-MRC-01 --node GT --scopes cases:write,cases:read
// The token alone goes to stdout; notes go to stderr.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DEV_TTL_SECONDS, DEFAULT_SERVICE_AUDIENCES, DevIssuer, DevTokenError, type DevAlgorithm } from '../libs/auth/src/dev-issuer';

const USAGE = `Usage: npm run -s token -- --partner <id> --node <CC> --scopes <a,b,...> [options]

Prints a dev access token (JWT) for local use. Refused when NODE_ENV=production.

  --partner <id>          partner_id claim, e.g. GT-MRC-01 or MX-COMAR (required)
  --node <CC>             node claim, ISO 3166-1 alpha-2, e.g. GT (required)
  --scopes <list>         comma- or space-separated scopes, e.g. cases:read,cases:write (required)
  --aud <list>            audiences (default: all five services: ${DEFAULT_SERVICE_AUDIENCES.join(', ')})
  --jurisdictions <list>  country and site codes, e.g. GT,GT-MRC-01 (default: the node)
  --ttl <seconds>         lifetime, 1..86400 (default ${DEFAULT_DEV_TTL_SECONDS})
  --sub <subject>         sub claim (default dev:<partner>)
  --client <id>           client_id claim (default: the subject)
  --dir <path>            key directory (default $AUTH_DEV_DIR or <repo>/.secrets)
  --alg <ES256|EdDSA>     algorithm of a newly created key (default ES256)
  --rotate                create a new signing key first (the previous one stays in the JWKS)
  --jwks                  print the dev JWKS instead of a token
  -h, --help              show this help
`;

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function fail(message: string): never {
  process.stderr.write(`token: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        partner: { type: 'string' },
        node: { type: 'string' },
        scopes: { type: 'string' },
        aud: { type: 'string' },
        jurisdictions: { type: 'string' },
        ttl: { type: 'string' },
        sub: { type: 'string' },
        client: { type: 'string' },
        dir: { type: 'string' },
        alg: { type: 'string' },
        rotate: { type: 'boolean' },
        jwks: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const alg = str('alg') ?? 'ES256';
  if (alg !== 'ES256' && alg !== 'EdDSA') fail('--alg must be ES256 or EdDSA');
  const dir = str('dir') ? resolve(str('dir') as string) : process.env.AUTH_DEV_DIR ? resolve(process.env.AUTH_DEV_DIR) : join(__dirname, '..', '.secrets');

  const partnerId = str('partner');
  const node = str('node');
  const scopes = list(str('scopes'));
  if (!values.jwks) {
    if (!partnerId) fail('--partner is required');
    if (!node) fail('--node is required');
    if (!scopes) fail('--scopes is required');
  }

  const issuer = new DevIssuer({ dir, algorithm: alg as DevAlgorithm });
  const key = values.rotate ? await issuer.rotate() : await issuer.ensureKey();
  if (key.created) process.stderr.write(`token: new dev signing key ${key.kid}; services trust ${issuer.jwksPath}\n`);

  if (values.jwks) {
    process.stdout.write(`${JSON.stringify(await issuer.jwks(), null, 2)}\n`);
    return;
  }
  const ttlText = str('ttl');
  const ttlSeconds = ttlText === undefined ? undefined : /^\d+$/.test(ttlText) ? Number(ttlText) : NaN;
  const audience = list(str('aud'));

  const token = await issuer.mint({
    partnerId: partnerId as string,
    node: node as string,
    scopes: scopes as string[],
    audience: audience && audience.length > 0 ? audience : undefined,
    jurisdictions: list(str('jurisdictions')),
    ttlSeconds,
    subject: str('sub'),
    clientId: str('client'),
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof DevTokenError) fail(error.message);
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
