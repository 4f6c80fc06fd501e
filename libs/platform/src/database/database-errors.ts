/**
 * What a thrown database error may tell: its SQLSTATE and whether the database is out of reach.
 * pg errors carry `code` (SQLSTATE); TypeORM wraps them in QueryFailedError with `driverError`;
 * failures to connect surface as Node socket errors or pg / pg-pool messages.
 */

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Node socket errors that mean "the server is not there (now)". */
const UNREACHABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs of a database that is unavailable rather than a request that is wrong: class 08
 * (connection exceptions), 57P01–57P03 (shut down / not accepting connections yet) and 53300
 * (too many connections).
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/** Messages pg and pg-pool use for a lost or impossible connection (they carry no SQLSTATE). */
const UNREACHABLE_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
];

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    chain.push(current);
    const next = (current as { driverError?: unknown; cause?: unknown }).driverError ?? (current as { cause?: unknown }).cause;
    const nested = (current as { errors?: unknown }).errors; // AggregateError from a multi-address connect
    if (Array.isArray(nested)) chain.push(...nested);
    current = next;
  }
  return chain;
}

/** The SQLSTATE of a database error (directly or on a wrapped driver error), if it has one. */
export function sqlStateOf(error: unknown): string | undefined {
  for (const e of causes(error)) {
    const code = codeOf(e);
    if (code && SQLSTATE.test(code) && !UNREACHABLE_SOCKET_CODES.has(code)) return code;
  }
  return undefined;
}

/** True when the error says the database cannot be reached or is not accepting work now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of causes(error)) {
    const code = codeOf(e);
    if (code && SQLSTATE.test(code) && isUnavailableSqlState(code)) return true;
    if (code && UNREACHABLE_SOCKET_CODES.has(code)) return true;
    // Duck-typed: errors from another realm fail `instanceof Error`.
    const message = typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined;
    if (typeof message === 'string' && UNREACHABLE_MESSAGES.some((re) => re.test(message))) return true;
  }
  return false;
}

/** The PostgreSQL error object behind `error` (TypeORM's driverError, or the error itself). */
function pgErrorOf(error: unknown): Record<string, unknown> | undefined {
  for (const e of causes(error)) {
    const code = codeOf(e);
    if (code && SQLSTATE.test(code) && !UNREACHABLE_SOCKET_CODES.has(code)) return e as Record<string, unknown>;
  }
  return undefined;
}

/** True for a unique violation (23505), optionally on one named constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pg = pgErrorOf(error);
  return pg?.code === '23505' && (constraint === undefined || pg.constraint === constraint);
}

/** True when PostgreSQL gave up on a transaction because of a concurrent one (40001, 40P01): retrying is right. */
export function isConcurrencyAbort(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state === '40001' || state === '40P01';
}
