// Runs generated requests against a live service over real HTTP and checks what every Puente
// service promises whatever it is sent: no 5xx, only statuses the operation documents, and
// every 4xx as RFC 9457 application/problem+json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { schemaMismatches } from './conformance';
import { documentsStatus, type OpenApiDocument, type Operation, operationsOf } from './openapi';
import { sendRaw } from './raw-http';
import { type Credentials, materialize, type RequestRecipe, requestRecipes, ValuePool } from './requests';

export type ViolationKind = '5xx' | 'undocumented' | 'non-problem' | 'off-schema';

export interface Violation {
  kind: ViolationKind;
  operation: string;
  status: number;
  labels: string[];
  /** Method and target as sent (truncated), for reproduction. */
  request: string;
  /** Problem type or the start of the body. */
  answer: string;
}

export interface HostileReport {
  service: string;
  seed: number;
  operations: number;
  requests: number;
  serverErrors: number;
  undocumented: number;
  nonProblem: number;
  /** 2xx JSON bodies that do not match the schema their operation documents. */
  offSchema: number;
  /** Requests per status. */
  statuses: Record<string, number>;
  /** Requests per operation and status; `valid:` counts those with no hostile part. */
  byOperation: Record<string, Record<string, number>>;
  /** Why well-formed requests were refused (first few per operation): tells how deep the run got. */
  refusedValid: Record<string, string[]>;
  violations: Violation[];
  elapsedMs: number;
}

export interface HostileRunOptions {
  service: string;
  base: string;
  document: OpenApiDocument;
  credentials: Credentials;
  /** Examples per operation (default PUENTE_HOSTILE_RUNS or 40). */
  runsPerOperation?: number;
  seed?: number;
  /** Bodies of resources created beforehand (e.g. a registered person): their ids feed the paths. */
  known?: unknown[];
}

/**
 * Creates first (their answers feed identifiers to the rest), then updates and reads, then
 * actions on one resource (erase, close, withdraw: they end what later requests could reach),
 * deletes last.
 */
function runOrder(operation: Operation): number {
  const params = (operation.path.match(/\{/g) ?? []).length;
  const action = operation.method === 'POST' && params > 0;
  const method = action ? 4 : ({ POST: 0, PUT: 1, PATCH: 2, GET: 3, DELETE: 5 }[operation.method] ?? 6);
  return method * 10 + params;
}

function describeRequest(operation: Operation, target: Buffer): string {
  const text = target.toString('latin1');
  return `${operation.method} ${text.length > 160 ? `${text.slice(0, 160)}…(${text.length})` : text}`;
}

function answerOf(body: Buffer, contentType: string | undefined, withFields = false): string {
  if (/json/.test(contentType ?? '')) {
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { type?: string; detail?: string; errors?: { field: string; code?: string }[] };
      const fields = withFields && parsed.errors ? ` [${parsed.errors.map((e) => `${e.field}:${e.code ?? ''}`).join(', ')}]` : '';
      if (parsed.type) return `${parsed.type} ${parsed.detail ?? ''}`.slice(0, 240) + fields;
    } catch {
      // not JSON after all: show the bytes
    }
  }
  return body.subarray(0, 160).toString('utf8');
}

export function isProblemJson(contentType: string | undefined): boolean {
  return /^application\/problem\+json(\s*;|$)/i.test(contentType ?? '');
}

/** Sends `runsPerOperation` generated requests to each `/v1` operation and reports what broke. */
export async function runHostileInput(options: HostileRunOptions): Promise<HostileReport> {
  const started = Date.now();
  const runs = options.runsPerOperation ?? Number(process.env.PUENTE_HOSTILE_RUNS || 40);
  const seed = options.seed ?? Number(process.env.PUENTE_HOSTILE_SEED || Date.now() % 2 ** 31);
  const operations = operationsOf(options.document).sort((a, b) => runOrder(a) - runOrder(b));
  const pool = new ValuePool();
  for (const body of options.known ?? []) pool.learn({ path: '' }, body, undefined);
  const report: HostileReport = {
    service: options.service,
    seed,
    operations: operations.length,
    requests: 0,
    serverErrors: 0,
    undocumented: 0,
    nonProblem: 0,
    offSchema: 0,
    statuses: {},
    byOperation: {},
    refusedValid: {},
    violations: [],
    elapsedMs: 0,
  };
  const record = (operation: Operation, recipe: RequestRecipe, kind: ViolationKind, status: number, target: Buffer, answer: string) => {
    if (kind === '5xx') report.serverErrors += 1;
    if (kind === 'undocumented') report.undocumented += 1;
    if (kind === 'non-problem') report.nonProblem += 1;
    if (kind === 'off-schema') report.offSchema += 1;
    report.violations.push({ kind, operation: operation.id, status, labels: recipe.labels, request: describeRequest(operation, target), answer });
  };
  for (const [index, operation] of operations.entries()) {
    await fc.assert(
      fc.asyncProperty(requestRecipes(options.document, operation), async (recipe) => {
        const request = materialize(operation, recipe, pool, options.credentials);
        const response = await sendRaw(options.base, request);
        report.requests += 1;
        report.statuses[response.status] = (report.statuses[response.status] ?? 0) + 1;
        const perOperation = (report.byOperation[operation.id] ??= {});
        const key = `${recipe.labels.length === 0 ? 'valid:' : ''}${response.status}`;
        perOperation[key] = (perOperation[key] ?? 0) + 1;
        const contentType = response.headers['content-type'];
        if (recipe.labels.length === 0 && response.status === 400) {
          const refused = (report.refusedValid[operation.id] ??= []);
          if (refused.length < 3) refused.push(answerOf(response.body, contentType, true));
        }
        const target = request.target as Buffer;
        if (response.status >= 500) record(operation, recipe, '5xx', response.status, target, answerOf(response.body, contentType));
        if (!documentsStatus(operation, response.status)) record(operation, recipe, 'undocumented', response.status, target, answerOf(response.body, contentType));
        if (response.status >= 400 && response.status < 500 && !isProblemJson(contentType)) {
          record(operation, recipe, 'non-problem', response.status, target, `${contentType ?? '(no content-type)'}: ${answerOf(response.body, contentType)}`);
        }
        if (response.status >= 200 && response.status < 300 && /json/.test(contentType ?? '') && response.body.length > 0) {
          let body: unknown;
          try {
            body = JSON.parse(response.body.toString('utf8'));
          } catch {
            record(operation, recipe, 'off-schema', response.status, target, 'a JSON content type with a body that is not JSON');
          }
          if (body !== undefined) {
            pool.learn(operation, body, response.headers.etag);
            const mismatches = schemaMismatches(options.document, operation.responseSchemas[String(response.status)], body);
            if (mismatches.length > 0) record(operation, recipe, 'off-schema', response.status, target, mismatches.join('; '));
          }
        }
        return true;
      }),
      { numRuns: runs, seed: seed + index, endOnFailure: true },
    );
  }
  report.elapsedMs = Date.now() - started;
  return report;
}

/** One line per service for logs and the issue's closing note. */
export function summarizeHostileReport(report: HostileReport): string {
  return (
    `hostile input, ${report.service}: ${report.requests} requests over ${report.operations} operations in ${(report.elapsedMs / 1000).toFixed(1)} s ` +
    `(seed ${report.seed}): ${report.serverErrors} 5xx, ${report.undocumented} undocumented, ${report.nonProblem} non-problem 4xx, ${report.offSchema} off-schema 2xx; ` +
    `statuses ${Object.entries(report.statuses)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ')}`
  );
}

const REPORTS_DIR = join(__dirname, '..', '..', '..', '..', 'reports', 'hostile');

function saveReport(name: string, text: string): string {
  mkdirSync(REPORTS_DIR, { recursive: true });
  const file = join(REPORTS_DIR, name);
  writeFileSync(file, text);
  return file;
}

/** Writes the report to `reports/hostile/<service>.json` (git-ignored) for the closing note. */
export function saveHostileReport(report: HostileReport): string {
  return saveReport(`${report.service}.json`, `${JSON.stringify(report, null, 2)}\n`);
}

/** Keeps the document the run was generated from next to its report (`<service>.openapi.json`). */
export function saveOpenApiDocument(service: string, documentText: string): string {
  return saveReport(`${service}.openapi.json`, documentText);
}
