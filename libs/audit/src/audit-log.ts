import { randomUUID } from 'node:crypto';
import { type BeforeApplicationShutdown, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { parseTraceparent, type StatementPart } from '@puente/platform';
import { Client, type ClientConfig } from 'pg';
import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import {
  AUDIT_OUTCOMES,
  auditRecordHash,
  canonicalTimestamp,
  GENESIS_HASH,
  type AuditOutcome,
  type AuditRecordJson,
  type UnhashedAuditRecord,
} from './canonical';

/**
 * Purposes a read or change of personal data may be made for (GDPR-style purpose limitation).
 * Sent by callers in the `X-Purpose` header unless the endpoint fixes its purpose.
 * - `screening`: vulnerability / protection screening at intake
 * - `referral`: referring a person to a partner for a service
 * - `case-management`: following up an open case
 * - `erasure`: erasing a person's data (crypto-shredding)
 * - `data-subject-request`: answering the person's own access or rectification request
 * - `oversight`: audit, complaint handling and supervisory review
 */
export const AUDIT_PURPOSES = ['screening', 'referral', 'case-management', 'erasure', 'data-subject-request', 'oversight'] as const;
export type AuditPurpose = (typeof AUDIT_PURPOSES)[number];

/** The caller, as far as the audit log needs it (read structurally from `request.principal`). */
export interface AuditActor {
  subject: string;
  clientId: string;
  partnerId: string;
}

/** What happened; `service`, `node`, `seq`, `id` and the hashes are filled in by AuditLog. */
export interface AuditEntry {
  /** `<object>.<verb>`: `person.read`, `person.update`, `person.erase`, `case.read`, ... */
  action: string;
  /** `person`, `case`, `referral`, ... */
  objectType: string;
  /** Identifier of the object (uuid, case number); never a name or any other personal data. */
  objectId?: string | null;
  /** One of the allowed purposes; null only when the outcome is not `success`. */
  purpose: string | null;
  /** Default `success`. */
  outcome?: AuditOutcome;
  /** The authenticated caller; null when there was none. */
  actor: AuditActor | null;
  requestId?: string | null;
  traceparent?: string | null;
  /** Default: now. Stored with millisecond precision. */
  occurredAt?: Date;
}

export interface AuditLogOptions {
  /** Service name written in every record (e.g. `intake`). */
  service: string;
  /** ISO 3166-1 alpha-2 code of this node (e.g. `GT`). */
  node: string;
  /** Allowed purposes (default AUDIT_PURPOSES). */
  purposes?: readonly string[];
}

/** Thrown when an entry is malformed or could carry personal data; nothing is written. */
export class AuditEntryError extends Error {
  override readonly name = 'AuditEntryError';
}

export const ACTION_PATTERN = /^[a-z][a-z0-9-]{0,30}(\.[a-z][a-z0-9-]{0,30}){1,3}$/;
export const OBJECT_TYPE_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
/** Identifiers only: no spaces, at most 128 characters (a uuid, `GT-2025-000123`, `urn:x:1`). */
export const OBJECT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;
/**
 * Subject, client id and partner id as the verified token states them (the auth guard accepts
 * any non-empty string of at most 255 characters): recorded as given, minus control characters.
 */
export const ACTOR_FIELD_PATTERN = /^[^\p{Cc}]{1,256}$/u;
const PURPOSE_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const NODE_PATTERN = /^[A-Z]{2}$/;
const SERVICE_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;

/** Columns of a record as written before it is chained (audit_pending): all but seq, prev_hash and hash. */
const PENDING_COLUMNS = [
  'id',
  'occurred_at',
  'service',
  'node',
  'actor_subject',
  'actor_client_id',
  'actor_partner_id',
  'action',
  'object_type',
  'object_id',
  'purpose',
  'outcome',
  'request_id',
  'traceparent',
] as const satisfies readonly (keyof PreparedEntry)[];

const PENDING_TYPES = ['uuid', 'timestamptz', ...Array.from({ length: PENDING_COLUMNS.length - 2 }, () => 'text')];

/** Any number of records into audit_pending, in one statement (fixed text, so its plan is reused). */
const INSERT_PENDING = `INSERT INTO audit_pending (${PENDING_COLUMNS.join(', ')})
  SELECT * FROM unnest(${PENDING_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;

/** One record into audit_pending, as a CTE of a composed statement (its `id` readable from the CTE). */
const INSERT_PENDING_ONE = `INSERT INTO audit_pending (${PENDING_COLUMNS.join(', ')})
  VALUES (${PENDING_TYPES.map((t, i) => `$${i + 1}::${t}`).join(', ')}) RETURNING id`;

/** Takes (deletes and returns) the oldest committed pending records, in canonical form. */
const TAKE_PENDING = `
  DELETE FROM audit_pending WHERE entry IN (SELECT entry FROM audit_pending ORDER BY entry LIMIT $1)
  RETURNING entry::text AS entry, id::text AS id,
    to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
    service, node, actor_subject, actor_client_id, actor_partner_id, action, object_type, object_id,
    purpose, outcome, request_id, traceparent`;

/** Chained records into audit_record, in one statement. */
const INSERT_CHAINED = `
  INSERT INTO audit_record (seq, id, occurred_at, service, node, actor_subject, actor_client_id, actor_partner_id,
    action, object_type, object_id, purpose, outcome, request_id, traceparent, prev_hash, hash)
  SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])`;

const INSERT_COLUMNS = [
  'seq',
  'id',
  'occurred_at',
  'service',
  'node',
  'actor_subject',
  'actor_client_id',
  'actor_partner_id',
  'action',
  'object_type',
  'object_id',
  'purpose',
  'outcome',
  'request_id',
  'traceparent',
  'prev_hash',
  'hash',
] as const satisfies readonly (keyof AuditRecordJson)[];

/** Most pending records chained by one transaction (a pass loops until none are left). */
const MAX_BATCH = 500;
/** The chainer's connection is closed after this long without a pass. */
const CONNECTION_IDLE_MS = 5_000;
/** How often a running service chains what no commit of its own asked for (another process's crash, a restart). */
const SWEEP_INTERVAL_MS = 5_000;

type PreparedEntry = Omit<UnhashedAuditRecord, 'seq' | 'prev_hash'>;

interface Queued {
  fields: PreparedEntry;
  resolve: (record: AuditRecordJson) => void;
  reject: (error: unknown) => void;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Connection settings of the DataSource's database, for the chainer's own connection. */
function connectionConfigOf(dataSource: DataSource, applicationName: string): ClientConfig {
  const o = dataSource.options as { url?: string; host?: string; port?: number; username?: string; password?: string; database?: string; ssl?: ClientConfig['ssl'] };
  return {
    connectionString: o.url,
    host: o.host,
    port: o.port,
    user: o.username,
    password: o.password,
    database: o.database,
    ssl: o.ssl,
    application_name: applicationName,
    connectionTimeoutMillis: 5_000,
  };
}

/** A W3C traceparent as libs/platform parses it (the one parser), or null. */
function checkTraceparent(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (parseTraceparent(value) === undefined) throw new AuditEntryError('audit traceparent is malformed (not a W3C traceparent)');
  return value;
}

function check(value: string | null | undefined, pattern: RegExp, what: string, nullable: boolean): string | null {
  if (value === null || value === undefined) {
    if (nullable) return null;
    throw new AuditEntryError(`audit ${what} is required`);
  }
  if (typeof value !== 'string' || !pattern.test(value)) {
    // The value itself is never put in the message: it might be personal data.
    throw new AuditEntryError(`audit ${what} is malformed (must match ${pattern})`);
  }
  return value;
}

/**
 * The service's tamper-evident audit log: an append-only table whose records form a SHA-256
 * hash chain (`hash = SHA-256(canonical(record without hash))`, `prev_hash` = previous hash).
 *
 * A record is written in two steps:
 * 1. **With the rows it records**: in the writer's own transaction (or composed statement), into
 *    audit_pending. It commits or rolls back with them, and takes no lock: writers do not queue
 *    behind one another.
 * 2. **Chained after that commit** by this AuditLog: one pass takes the chain's append lock,
 *    moves every committed pending record into audit_record with the next seq, prev_hash and hash,
 *    and commits, on a connection of its own. Concurrent commits share a pass (group commit).
 *
 * The writer's transaction resolves only once its records are chained (a TypeORM commit
 * subscriber waits for the pass), so whoever reads audit_record after a write sees its record. If
 * a pass fails after the writer's commit, the records stay pending, durable, and the next pass
 * (the next write, the sweep every few seconds, or the next start) chains them; the write itself
 * is not failed, as it has committed. Between the two steps, normally milliseconds, a record is
 * in the database but not yet in the chain: `npm run audit -- verify` reports such records.
 */
export class AuditLog implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly service: string;
  readonly node: string;
  readonly purposes: readonly string[];
  private readonly logger = new Logger('Audit');
  /** Own-transaction appends waiting for the next pass. */
  private queued: Queued[] = [];
  /** Transactions that wrote pending records, chained when they commit. */
  private readonly awaitingCommit = new WeakSet<QueryRunner>();
  private readonly watcher: EntitySubscriberInterface = {
    afterTransactionCommit: (event: TransactionCommitEvent) => this.committed(event.queryRunner),
    afterTransactionRollback: (event: TransactionRollbackEvent) => {
      if (!event.queryRunner.isTransactionActive) this.awaitingCommit.delete(event.queryRunner);
    },
  };
  /** The pass running now, if any, and the one asked for since it started. */
  private running: Promise<void> | null = null;
  private next: Deferred | null = null;
  private client: Client | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    options: AuditLogOptions,
  ) {
    this.service = check(options.service, SERVICE_PATTERN, 'service', false) as string;
    this.node = check(options.node, NODE_PATTERN, 'node', false) as string;
    this.purposes = [...(options.purposes ?? AUDIT_PURPOSES)];
    for (const p of this.purposes) check(p, PURPOSE_PATTERN, 'purpose', false);
  }

  isAllowedPurpose(purpose: string): boolean {
    return this.purposes.includes(purpose);
  }

  /**
   * Appends one record.
   *
   * - With the manager of an open transaction, the record commits or rolls back with that
   *   transaction, and is chained when it commits (resolves with null: it has no seq yet).
   * - Otherwise the record is chained by the next pass, which group-commits every append made
   *   meanwhile, and this resolves with it as stored (canonical form, with seq and hash).
   */
  append(manager: null, entry: AuditEntry): Promise<AuditRecordJson>;
  append(manager: EntityManager | null, entry: AuditEntry): Promise<AuditRecordJson | null>;
  async append(manager: EntityManager | null, entry: AuditEntry): Promise<AuditRecordJson | null> {
    const prepared = this.prepare(entry);
    if (manager?.queryRunner?.isTransactionActive) {
      await this.writePending(manager, [prepared]);
      return null;
    }
    return new Promise<AuditRecordJson>((resolve, reject) => {
      this.queued.push({ fields: prepared, resolve, reject });
      this.chain().catch(() => undefined); // the queued entry is settled by the pass itself
    });
  }

  /**
   * Appends several records in the caller's open transaction with one INSERT (a bulk write's
   * records, chained in the given order when it commits). Every entry is checked before anything
   * is written.
   */
  async appendAll(manager: EntityManager, entries: readonly AuditEntry[]): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive) throw new AuditEntryError('appendAll runs inside the transaction of the rows it records');
    const prepared = entries.map((e) => this.prepare(e));
    if (prepared.length > 0) await this.writePending(manager, prepared);
  }

  /**
   * The append of one record as a part of one composed statement (see composeStatement), for a
   * write that commits its own rows and their audit record in a single statement. CTE name:
   * `audit_insert`. After the statement, call `chainWritten` with the manager that ran it.
   */
  part(entry: AuditEntry): StatementPart {
    const fields = this.prepare(entry);
    return { ctes: [['audit_insert', INSERT_PENDING_ONE]], params: PENDING_COLUMNS.map((c) => fields[c]) };
  }

  /**
   * After a statement with a `part` ran on `manager`: inside a transaction, its record is chained
   * when that transaction commits; otherwise (the statement committed itself) it is chained now.
   * Never rejects: a record left pending by a failed pass is chained by a later one.
   */
  async chainWritten(manager: EntityManager): Promise<void> {
    if (manager.queryRunner?.isTransactionActive) this.awaitCommitOf(manager);
    else await this.chainQuietly();
  }

  /**
   * Chains every pending record committed so far (a pass that starts after this call). Rejects
   * when that pass fails; the records then stay pending.
   */
  chainCommitted(): Promise<void> {
    return this.chain();
  }

  /** Nest: chains what an earlier run left pending, then sweeps every few seconds. */
  onApplicationBootstrap(): void {
    this.closed = false;
    void this.chainQuietly();
    this.sweepTimer ??= setInterval(() => void this.chainQuietly(), SWEEP_INTERVAL_MS).unref();
  }

  /** Nest: after every module has stopped (consumers included), before the DataSource closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /**
   * Stops the sweep, waits for the pass in flight and closes the chainer's connection. Appends
   * made afterwards still work; their connection is closed right after their pass.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    while (this.running) await this.running.catch(() => undefined);
    this.endConnection();
  }

  private async writePending(manager: EntityManager, entries: PreparedEntry[]): Promise<void> {
    await manager.query(INSERT_PENDING, PENDING_COLUMNS.map((column) => entries.map((e) => e[column])));
    this.awaitCommitOf(manager);
  }

  private awaitCommitOf(manager: EntityManager): void {
    const runner = manager.queryRunner as QueryRunner;
    const subscribers = runner.connection.subscribers;
    if (!subscribers.includes(this.watcher)) subscribers.push(this.watcher);
    this.awaitingCommit.add(runner);
  }

  /** The commit subscriber: a transaction that wrote pending records has committed. */
  private async committed(runner: QueryRunner): Promise<void> {
    if (runner.isTransactionActive || !this.awaitingCommit.delete(runner)) return;
    await this.chainQuietly();
  }

  private async chainQuietly(): Promise<void> {
    try {
      await this.chain();
    } catch (error) {
      // The records are committed and pending: nothing is lost, and the next pass retries.
      this.logger.warn({ err: { name: (error as Error)?.name, code: (error as { code?: unknown })?.code } }, 'audit records committed but not yet chained; the next pass retries');
    }
  }

  /** A pass that starts after this call: now if none is running, else right after the running one. */
  private chain(): Promise<void> {
    if (this.running) {
      this.next ??= deferred();
      return this.next.promise;
    }
    return this.runPasses();
  }

  private runPasses(): Promise<void> {
    const first = deferred();
    this.running = (async () => {
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = null;
      let current: Deferred | null = first;
      while (current) {
        try {
          await this.pass();
          current.resolve();
        } catch (error) {
          current.reject(error);
        }
        current = this.next;
        this.next = null;
      }
      this.running = null;
      if (this.closed) this.endConnection();
      else this.idleTimer = setTimeout(() => this.endConnection(), CONNECTION_IDLE_MS).unref();
    })();
    return first.promise;
  }

  /** Chains the queued appends and every committed pending record, MAX_BATCH of those a transaction. */
  private async pass(): Promise<void> {
    const queued = this.queued;
    this.queued = [];
    let settled = false;
    try {
      const client = await this.connection();
      for (let more = true; more; ) {
        const fields = settled ? [] : queued.map((q) => q.fields);
        const { records, taken } = await this.chainBatch(client, fields);
        if (!settled) queued.forEach((q, i) => q.resolve(records[taken + i]));
        settled = true;
        more = taken === MAX_BATCH;
      }
    } catch (error) {
      if (!settled) for (const q of queued) q.reject(error);
      this.endConnection(); // a broken connection is replaced by the next pass
      throw error;
    }
  }

  /** One transaction: lock and head, take pending records, chain them and `own` after them. */
  private async chainBatch(client: Client, own: PreparedEntry[]): Promise<{ records: AuditRecordJson[]; taken: number }> {
    await client.query('BEGIN');
    try {
      const head = (await client.query<{ seq: string | null; hash: string | null }>('SELECT seq::text AS seq, hash FROM audit_chain_head()')).rows[0];
      const pending = (await client.query<PreparedEntry & { entry: string }>(TAKE_PENDING, [MAX_BATCH])).rows;
      pending.sort((a, b) => (BigInt(a.entry) < BigInt(b.entry) ? -1 : 1));
      let seq = head?.seq ? BigInt(head.seq) : 0n;
      let prevHash = head?.hash ?? GENESIS_HASH;
      const records = [...pending.map(({ entry: _entry, ...fields }) => fields), ...own].map((fields) => {
        seq += 1n;
        const unhashed: UnhashedAuditRecord = { ...fields, seq: seq.toString(), prev_hash: prevHash };
        const record: AuditRecordJson = { ...unhashed, hash: auditRecordHash(unhashed) };
        prevHash = record.hash;
        return record;
      });
      if (records.length > 0) await client.query(INSERT_CHAINED, INSERT_COLUMNS.map((column) => records.map((r) => r[column])));
      await client.query('COMMIT');
      return { records, taken: pending.length };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * The chainer's own connection, outside the DataSource's pool: a pass never waits for a pool
   * connection that a committed writer holds while it waits for that pass.
   */
  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client(connectionConfigOf(this.dataSource, `${this.service}-audit-chain`));
    client.on('error', () => {
      if (this.client === client) this.client = null; // dropped: the next pass reconnects
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private endConnection(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const client = this.client;
    this.client = null;
    if (client) void client.end().catch(() => undefined);
  }

  private prepare(entry: AuditEntry): PreparedEntry {
    const outcome = entry.outcome ?? 'success';
    if (!(AUDIT_OUTCOMES as readonly string[]).includes(outcome)) throw new AuditEntryError('audit outcome is malformed');
    const purpose = check(entry.purpose, PURPOSE_PATTERN, 'purpose', outcome !== 'success');
    if (purpose !== null && !this.isAllowedPurpose(purpose)) {
      throw new AuditEntryError(`audit purpose is not one of: ${this.purposes.join(', ')}`);
    }
    const actor = entry.actor;
    const occurredAt = entry.occurredAt ?? new Date();
    if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) throw new AuditEntryError('audit occurredAt is invalid');
    return {
      id: randomUUID(),
      occurred_at: canonicalTimestamp(occurredAt),
      service: this.service,
      node: this.node,
      actor_subject: actor ? check(actor.subject, ACTOR_FIELD_PATTERN, 'actor subject', false) : null,
      actor_client_id: actor ? check(actor.clientId, ACTOR_FIELD_PATTERN, 'actor clientId', false) : null,
      actor_partner_id: actor ? check(actor.partnerId, ACTOR_FIELD_PATTERN, 'actor partnerId', false) : null,
      action: check(entry.action, ACTION_PATTERN, 'action', false) as string,
      object_type: check(entry.objectType, OBJECT_TYPE_PATTERN, 'objectType', false) as string,
      object_id: check(entry.objectId, OBJECT_ID_PATTERN, 'objectId', true),
      purpose,
      outcome,
      request_id: check(entry.requestId, REQUEST_ID_PATTERN, 'requestId', true),
      traceparent: checkTraceparent(entry.traceparent),
    };
  }
}
