/**
 * Default HTTP ports of the Puente services on a developer machine.
 * Tools print URLs from this map; `PORT` overrides it per process.
 */
export const SERVICE_PORTS = {
  intake: 3001,
  screening: 3002,
  'referral-routing': 3003,
  reception: 3004,
  reintegration: 3005,
} as const;

export type ServiceName = keyof typeof SERVICE_PORTS;

/** Every business route lives under this prefix (`/v1/...`). */
export const GLOBAL_PREFIX = 'v1';

/** Operational routes that stay outside the `/v1` prefix. */
export const UNPREFIXED_ROUTES = ['health/live', 'health/ready', 'health/serving', 'metrics'] as const;

export const DOCS_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'docs/openapi.json';

/** Default maximum request body size: 1 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
