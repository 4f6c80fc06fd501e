import { randomBytes, randomUUID } from 'node:crypto';
import { assertCteName, parseTraceparent, type StatementPart } from '@puente/platform';
import type { DataSource, EntityManager } from 'typeorm';
import {
  AUDIT_OUTCOMES,
  auditRecordHash,
  canonicalAuditJson,
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

/** One statement for any number of records (fixed text, so its plan is reused). */
const INSERT = `
  INSERT INTO audit_record (seq, id, occurred_at, service, node, actor_subject, actor_client_id, actor_partner_id,
    action, object_type, object_id, purpose, outcome, request_id, traceparent, prev_hash, hash)
  SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])`;

/**
 * One record in one round trip: takes the append lock and reads the head (`audit_chain_head()`),
 * then inserts the record with the next seq, prev_hash = head hash and hash = SHA-256 of its
 * canonical encoding, which the caller passes split around prev_hash and seq ($15, $16, $17).
 * The append lock is then held only from this statement to the commit.
 */
const HEAD_CTE = `SELECT seq, hash FROM audit_chain_head()`;
const NEXT_CTE = `SELECT coalesce(audit_head.seq, 0) + 1 AS seq, coalesce(audit_head.hash, $18::text) AS prev_hash FROM audit_head`;
const INSERT_CTE = `INSERT INTO audit_record (seq, id, occurred_at, service, node, actor_subject, actor_client_id, actor_partner_id,
      action, object_type, object_id, purpose, outcome, request_id, traceparent, prev_hash, hash)
    SELECT audit_next.seq, $1::uuid, $2::timestamptz, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text,
      $10::text, $11::text, $12::text, $13::text, $14::text, audit_next.prev_hash,
      encode(sha256(convert_to($15::text || audit_next.prev_hash || $16::text || audit_next.seq::text || $17::text, 'UTF8')), 'hex')
    FROM audit_next
    RETURNING seq::text AS seq, prev_hash, hash`;
const INSERT_ONE = `WITH audit_head AS MATERIALIZED (${HEAD_CTE}), audit_next AS (${NEXT_CTE}), audit_insert AS (${INSERT_CTE})
  SELECT seq, prev_hash, hash FROM audit_insert`;

/** Placeholders for prev_hash and seq in a canonical encoding split for INSERT_ONE (JSON-safe, never in real values by chance). */
const PREV_HASH_MARK = `prevhash${randomBytes(16).toString('hex')}`;
const SEQ_MARK = `seq${randomBytes(16).toString('hex')}`;

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

/** Most records written by one transaction of the group commit. */
const MAX_BATCH = 200;

type PreparedEntry = Omit<UnhashedAuditRecord, 'seq' | 'prev_hash'>;

interface Pending {
  fields: PreparedEntry;
  resolve: (record: AuditRecordJson) => void;
  reject: (error: unknown) => void;
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
 */
export class AuditLog {
  readonly service: string;
  readonly node: string;
  readonly purposes: readonly string[];
  /** Own-transaction appends waiting for the next group commit. */
  private readonly pending: Pending[] = [];
  private draining = false;

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
   * Appends one record and resolves with it as stored (canonical form, with seq and hash).
   *
   * - With the manager of an open transaction, the record commits or rolls back with that
   *   transaction. The append lock is then held until that transaction ends: append as late as
   *   possible, and never call append(null, …) while such a transaction is open (it would wait
   *   for itself).
   * - With `null`, the record is written in its own transaction. Concurrent calls are group-
   *   committed: while one transaction writes, the next ones queue and are written together in
   *   the following transaction (one lock, one INSERT, one commit for the batch).
   *
   * Cost per transaction: `audit_chain_head()` (lock + head) and the INSERT in one round trip for
   * one record (the database chains and hashes it; the hash is checked here), in two for a batch;
   * one SHA-256 per record. The lock is held from that statement to the commit. The transaction
   * must be READ COMMITTED (PostgreSQL's default); the seq primary key makes a fork impossible
   * regardless (a stale head fails the insert).
   */
  async append(manager: EntityManager | null, entry: AuditEntry): Promise<AuditRecordJson> {
    const prepared = this.prepare(entry);
    if (manager?.queryRunner?.isTransactionActive) return (await this.write(manager, [prepared]))[0];
    if (manager) return manager.transaction(async (tx) => (await this.write(tx, [prepared]))[0]);
    return this.enqueue(prepared);
  }

  /**
   * Appends several records in the caller's open transaction with one head read and one INSERT
   * (a bulk write's records, chained in the given order). Every entry is checked before anything
   * is written; the append lock is held until that transaction ends.
   */
  async appendAll(manager: EntityManager, entries: readonly AuditEntry[]): Promise<AuditRecordJson[]> {
    if (!manager.queryRunner?.isTransactionActive) throw new AuditEntryError('appendAll runs inside the transaction of the rows it records');
    const prepared = entries.map((e) => this.prepare(e));
    if (prepared.length === 0) return [];
    return this.writeMany(manager, prepared);
  }

  private enqueue(fields: PreparedEntry): Promise<AuditRecordJson> {
    return new Promise<AuditRecordJson>((resolve, reject) => {
      this.pending.push({ fields, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        void this.drain();
      }
    });
  }

  private async drain(): Promise<void> {
    // `draining` is cleared in the same synchronous step as the final emptiness check,
    // so an entry queued at any time is picked up by this loop or starts a new one.
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      try {
        const records = await this.dataSource.transaction((tx) => this.write(tx, batch.map((p) => p.fields)));
        batch.forEach((p, i) => p.resolve(records[i]));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.draining = false;
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

  private async write(tx: EntityManager, entries: PreparedEntry[]): Promise<AuditRecordJson[]> {
    if (entries.length === 1) {
      const record = await this.writeOne(tx, entries[0]);
      if (record) return [record];
    }
    return this.writeMany(tx, entries);
  }

  /** Records chained after the head in one INSERT (hashed here). */
  private async writeMany(tx: EntityManager, entries: PreparedEntry[]): Promise<AuditRecordJson[]> {
    const [head] = (await tx.query('SELECT seq::text AS seq, hash FROM audit_chain_head()')) as {
      seq: string | null;
      hash: string | null;
    }[];
    let seq = head?.seq ? BigInt(head.seq) : 0n;
    let prevHash = head?.hash ?? GENESIS_HASH;
    const records = entries.map((fields) => {
      seq += 1n;
      const unhashed: UnhashedAuditRecord = { ...fields, seq: seq.toString(), prev_hash: prevHash };
      const record: AuditRecordJson = { ...unhashed, hash: auditRecordHash(unhashed) };
      prevHash = record.hash;
      return record;
    });
    await tx.query(INSERT, INSERT_COLUMNS.map((column) => records.map((r) => r[column])));
    return records;
  }

  /**
   * The append of one record as a part of one composed statement (see composeStatement), for a
   * write that commits its own rows and their audit record in a single autocommit statement:
   * the append lock is then held only while that statement runs and commits, with no client
   * round trip inside. CTE names: `audit_head`, `audit_next`, `audit_insert` (read its `seq`,
   * `prev_hash` and `hash` in the final SELECT and pass them to `stored`).
   *
   * `stored` checks the hash the database computed against this record's canonical encoding
   * (equal by construction: seq and prev_hash are digits and hex, spliced where the encoding
   * has them). Run the statement in its own transaction (autocommit) or in a READ COMMITTED one.
   *
   * `after`: CTEs of the same statement, defined before this part and with a RETURNING clause,
   * that run to completion before the chain's head is read and its lock taken (the head is gated
   * on them: a one-time filter PostgreSQL evaluates first). Otherwise the final SELECT, which
   * reads `audit_insert`, takes the lock first and holds it through every other insert of the
   * statement, so concurrent writers queue behind all of that work instead of the append alone.
   */
  part(
    entry: AuditEntry,
    options: { after?: readonly string[] } = {},
  ): { part: StatementPart; stored: (row: { seq: string; prev_hash: string; hash: string }) => AuditRecordJson } {
    const fields = this.prepare(entry);
    const params = this.oneRecordParams(fields);
    if (!params) throw new AuditEntryError('audit record cannot be encoded for a single-statement append');
    const after = options.after ?? [];
    after.forEach(assertCteName);
    const head = after.length === 0 ? HEAD_CTE : `${HEAD_CTE} WHERE ${after.map((name) => `(SELECT count(*) FROM ${name}) >= 0`).join(' AND ')}`;
    return {
      part: {
        ctes: [
          ['audit_head', head, 'materialized'],
          ['audit_next', NEXT_CTE],
          ['audit_insert', INSERT_CTE],
        ],
        params,
      },
      stored: (row) => this.checked(fields, row),
    };
  }

  /**
   * Writes one record with one statement (INSERT_ONE); undefined (nothing written) when its
   * canonical encoding cannot be split around prev_hash and seq.
   */
  private async writeOne(tx: EntityManager, fields: PreparedEntry): Promise<AuditRecordJson | undefined> {
    const params = this.oneRecordParams(fields);
    if (!params) return undefined;
    const rows = (await tx.query(INSERT_ONE, params)) as { seq: string; prev_hash: string; hash: string }[];
    return this.checked(fields, rows[0]);
  }

  /** Parameters of INSERT_CTE: the fields, the canonical encoding split around prev_hash and seq, the genesis hash. */
  private oneRecordParams(fields: PreparedEntry): unknown[] | undefined {
    const canonical = canonicalAuditJson({ ...fields, seq: SEQ_MARK, prev_hash: PREV_HASH_MARK });
    const p = canonical.indexOf(PREV_HASH_MARK);
    const q = canonical.indexOf(SEQ_MARK);
    if (p < 0 || q < p || canonical.indexOf(PREV_HASH_MARK, p + 1) >= 0 || canonical.indexOf(SEQ_MARK, q + 1) >= 0) return undefined;
    const parts = [canonical.slice(0, p), canonical.slice(p + PREV_HASH_MARK.length, q), canonical.slice(q + SEQ_MARK.length)];
    return [
      fields.id,
      fields.occurred_at,
      fields.service,
      fields.node,
      fields.actor_subject,
      fields.actor_client_id,
      fields.actor_partner_id,
      fields.action,
      fields.object_type,
      fields.object_id,
      fields.purpose,
      fields.outcome,
      fields.request_id,
      fields.traceparent,
      ...parts,
      GENESIS_HASH,
    ];
  }

  private checked(fields: PreparedEntry, row: { seq: string; prev_hash: string; hash: string }): AuditRecordJson {
    const { seq, prev_hash, hash } = row;
    const record: AuditRecordJson = { ...fields, seq, prev_hash, hash };
    // Same hash as computed here, or the statement (and the caller's transaction) must not stand.
    if (auditRecordHash({ ...fields, seq, prev_hash }) !== hash) throw new Error('audit record hash computed by the database does not match its canonical encoding');
    return record;
  }
}
