import { PassThrough, Readable } from 'node:stream';
import { Client } from 'pg';
import { composeStatement } from '@puente/platform';
import { eventually, someoneWaitsForALock } from '@puente/testing';
import type { DataSource } from 'typeorm';
import { AuditEntryError, type AuditLog } from './audit-log';
import { auditRecordHash, GENESIS_HASH, type AuditRecordJson } from './canonical';
import { exportChain } from './export';
import { appendMany, auditLogOn, openAuditDataSource, resetChain, sampleEntry, seqs } from './spec/helpers';
import { verifyChain, verifyExport } from './verify';

/** A JSON-lines file as a stream. */
function fileOf(lines: string[]): Readable {
  return Readable.from(lines.map((l) => `${l}\n`));
}

async function exportToLines(ds: DataSource, options: { from?: number; to?: number; pageSize?: number } = {}) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const result = await exportChain(ds, out, options);
  out.end();
  return { result, lines: text.split('\n').filter((l) => l !== '') };
}

describe('AuditLog (real PostgreSQL)', () => {
  let ds: DataSource;
  let replica: DataSource;
  let log: AuditLog;

  beforeAll(async () => {
    ds = await openAuditDataSource('audit_log');
    replica = await openAuditDataSource('audit_log', true);
    log = auditLogOn(ds);
  });

  afterAll(async () => {
    await replica?.destroy();
    await ds?.destroy();
  });

  beforeEach(() => resetChain(ds));

  it('starts from the genesis hash and links every record to the previous hash', async () => {
    const first = await log.append(null, sampleEntry());
    const second = await log.append(null, sampleEntry({ outcome: 'denied', purpose: null, actor: null }));
    expect(first).toMatchObject({ seq: '1', prev_hash: GENESIS_HASH, service: 'intake', node: 'GT', outcome: 'success' });
    expect(second).toMatchObject({ seq: '2', prev_hash: first.hash, outcome: 'denied', purpose: null, actor_subject: null });
    const { hash, ...rest } = second;
    expect(auditRecordHash(rest)).toBe(hash);
    expect(await verifyChain(ds)).toEqual({ ok: true, count: 2, head: { seq: 2, hash: second.hash } });
  });

  it('stores exactly what was hashed (timestamps to the millisecond in UTC, non-ASCII text)', async () => {
    const written = await log.append(
      null,
      sampleEntry({
        occurredAt: new Date('2025-03-04T05:06:07.891+02:00'),
        actor: { subject: 'service-account "intake" ñ 🛂', clientId: 'gt-mrc-01-portal', partnerId: 'GT-MRC-01' },
      }),
    );
    expect(written.occurred_at).toBe('2025-03-04T03:06:07.891Z');
    const { lines } = await exportToLines(ds);
    expect(JSON.parse(lines[0])).toEqual(written);
    expect(await verifyChain(ds)).toMatchObject({ ok: true, count: 1 });
  });

  it('keeps 200 appends, 20 of them at a time from two DataSources, gapless and verifiable', async () => {
    await appendMany(log, 60);
    const other = auditLogOn(replica);
    for (let round = 0; round < 7; round += 1) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : log).append(null, sampleEntry())));
    }
    expect(await seqs(ds)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const result = await verifyChain(ds, { pageSize: 37 });
    expect(result).toMatchObject({ ok: true, count: 200, head: { seq: 200 } });
  });

  it('group-commits concurrent own-transaction appends, each caller getting its own record', async () => {
    const entries = Array.from({ length: 50 }, () => sampleEntry());
    const records = await Promise.all(entries.map((e) => log.append(null, e)));
    expect(records.map((r) => r.request_id)).toEqual(entries.map((e) => e.requestId));
    expect(new Set(records.map((r) => r.seq)).size).toBe(50);
    const [{ transactions }] = (await ds.query('SELECT count(DISTINCT xmin::text)::int AS transactions FROM audit_record')) as {
      transactions: number;
    }[];
    expect(transactions).toBeLessThan(50);
    expect(await verifyChain(ds)).toMatchObject({ ok: true, count: 50 });
  });

  it('commits or rolls back with the caller transaction, leaving no gap after a rollback', async () => {
    await log.append(null, sampleEntry());
    await expect(
      ds.transaction(async (tx) => {
        await log.append(tx, sampleEntry({ action: 'person.update' }));
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    const committed = await ds.transaction((tx) => log.append(tx, sampleEntry({ action: 'person.erase', purpose: 'erasure' })));
    expect(committed.seq).toBe('2');
    expect(await seqs(ds)).toEqual([1, 2]);
    expect((await verifyChain(ds)).ok).toBe(true);
  });

  it('appends a bulk write\'s records in its transaction at once, chained in order, and none when an entry is malformed or outside a transaction', async () => {
    await log.append(null, sampleEntry());
    const entries = Array.from({ length: 120 }, (_, i) => sampleEntry({ objectId: `person-${i}` }));
    const records = await ds.transaction((tx) => log.appendAll(tx, entries));
    expect(records.map((r) => r.object_id)).toEqual(entries.map((e) => e.objectId));
    expect(records.map((r) => Number(r.seq))).toEqual(Array.from({ length: 120 }, (_, i) => i + 2));
    await expect(ds.transaction((tx) => log.appendAll(tx, [sampleEntry(), sampleEntry({ action: 'Not An Action' })]))).rejects.toThrow(AuditEntryError);
    await expect(log.appendAll(ds.manager, [sampleEntry()])).rejects.toThrow(AuditEntryError);
    expect(await verifyChain(ds)).toMatchObject({ ok: true, count: 121 });
  });

  it('appends as a part of one composed autocommit statement, interleaved with append(), and writes nothing when that statement fails', async () => {
    const composed = async (fail: boolean) => {
      const audit = log.part(sampleEntry({ action: 'person.create' }));
      // The final SELECT divides by zero at run time when `fail`: the whole statement must roll back.
      const statement = composeStatement(
        [audit.part],
        `SELECT audit_insert.seq, audit_insert.prev_hash, audit_insert.hash, 1 / (count(*) OVER () - ${fail ? 1 : 0})::int AS guard FROM audit_insert`,
      );
      const [row] = (await ds.query(statement.text, statement.values)) as { seq: string; prev_hash: string; hash: string }[];
      return audit.stored(row);
    };
    const records = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? composed(false) : log.append(null, sampleEntry()))));
    expect(new Set(records.map((r) => r.seq)).size).toBe(30);
    await expect(composed(true)).rejects.toThrow(/division by zero/);
    expect(await seqs(ds)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await verifyChain(ds)).toMatchObject({ ok: true, count: 30 });
    const stored = records.find((r) => r.action === 'person.create') as AuditRecordJson;
    const { hash, ...rest } = stored;
    expect(auditRecordHash(rest)).toBe(hash);
  });

  it("takes the append lock only once the CTEs named in `after` ran, so a writer queues behind the append alone", async () => {
    await ds.query('CREATE TABLE IF NOT EXISTS spec_gate (id int PRIMARY KEY)');
    await ds.query('TRUNCATE spec_gate');
    await ds.query('INSERT INTO spec_gate VALUES (1)');
    const statement = (id: number, after?: string[]) => {
      const audit = log.part(sampleEntry({ action: 'person.create' }), { after });
      return { audit, ...composeStatement([{ ctes: [['gate_insert', 'INSERT INTO spec_gate VALUES ($1) RETURNING 1']], params: [id] }, audit.part], 'SELECT audit_insert.seq, audit_insert.prev_hash, audit_insert.hash FROM audit_insert') };
    };
    const sqlState = (e: unknown) => (e as { driverError?: { code?: string } }).driverError?.code;
    // Another writer holds the append lock until released.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const lockHeld = new Promise<void>((r) => (locked = r));
    const holder = replica.transaction(async (tx) => {
      await auditLogOn(replica).append(tx, sampleEntry());
      locked();
      await held;
    });
    await lockHeld;
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.query("SET lock_timeout = '1s'");
      // Gated: the duplicate key fails the statement at once, before it ever asks for the lock.
      const gated = statement(1, ['gate_insert']);
      expect(sqlState(await runner.query(gated.text, gated.values).catch((e: unknown) => e))).toBe('23505');
      // Not gated: the same statement asks for the lock first, and gives up waiting for it.
      const ungated = statement(1);
      expect(sqlState(await runner.query(ungated.text, ungated.values).catch((e: unknown) => e))).toBe('55P03');
    } finally {
      await runner.release();
      release();
      await holder;
    }
    // Gated and free to run: written and chained after the holder's record.
    const fine = statement(2, ['gate_insert']);
    const [row] = (await ds.query(fine.text, fine.values)) as { seq: string; prev_hash: string; hash: string }[];
    expect(fine.audit.stored(row).seq).toBe('2');
    expect(await ds.query('SELECT id FROM spec_gate ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await verifyChain(ds)).toMatchObject({ ok: true, count: 2 });
    expect(() => log.part(sampleEntry(), { after: ['x; DROP TABLE audit_record'] })).toThrow(RangeError);
  });

  it('serializes a transaction that holds the append lock against concurrent appends', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let appended!: () => void;
    const lockHeld = new Promise<void>((r) => (appended = r));
    const slow = ds.transaction(async (tx) => {
      await log.append(tx, sampleEntry());
      appended();
      await held;
    });
    await lockHeld;
    let concurrentDone = false;
    const concurrent = auditLogOn(replica)
      .append(null, sampleEntry())
      .then((r) => ((concurrentDone = true), r));
    // barrier: the concurrent append is queued behind the lock (PostgreSQL says so)
    await eventually('the concurrent append to wait for the lock', () => someoneWaitsForALock(replica), 10_000, 20);
    expect(concurrentDone).toBe(false);
    release();
    await slow;
    expect((await concurrent).seq).toBe('2');
  });

  it.each<[string, Partial<Parameters<AuditLog['append']>[1]>]>([
    ['a name as object id', { objectId: 'Maria Lopez' }],
    ['an unknown purpose', { purpose: 'marketing' }],
    ['success without a purpose', { purpose: null }],
    ['a malformed action', { action: 'read Maria' }],
    ['an actor subject with control characters', { actor: { subject: 'Maria\nLopez', clientId: 'c', partnerId: 'p' } }],
    ['an empty actor partner id', { actor: { subject: 'svc', clientId: 'c', partnerId: '' } }],
    ['a malformed request id', { requestId: 'Maria Lopez' }],
  ])('refuses %s without writing or echoing it', async (_what, overrides) => {
    const error = await log.append(null, sampleEntry(overrides)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuditEntryError);
    expect((error as Error).message).not.toMatch(/Maria|marketing/);
    expect(await seqs(ds)).toEqual([]);
  });

  it('rejects UPDATE, DELETE and TRUNCATE while the trigger is enabled', async () => {
    await appendMany(log, 3);
    await expect(ds.query(`UPDATE audit_record SET actor_partner_id = 'other' WHERE seq = 2`)).rejects.toThrow(/append-only: UPDATE/);
    await expect(ds.query(`DELETE FROM audit_record WHERE seq = 3`)).rejects.toThrow(/append-only: DELETE/);
    await expect(ds.query(`TRUNCATE audit_record`)).rejects.toThrow(/append-only: TRUNCATE/);
    expect(await seqs(ds)).toEqual([1, 2, 3]);
    expect((await verifyChain(ds)).ok).toBe(true);
  });

  it('verifies through a plain pg Client too', async () => {
    await appendMany(log, 5);
    const client = new Client({ connectionString: (ds.options as { url: string }).url });
    await client.connect();
    try {
      expect(await verifyChain(client)).toMatchObject({ ok: true, count: 5, head: { seq: 5 } });
    } finally {
      await client.end();
    }
  });

  it('reports an empty chain as intact with no head', async () => {
    expect(await verifyChain(ds)).toEqual({ ok: true, count: 0, head: null });
  });

  it('exports JSON lines in seq order, by range, that verify offline', async () => {
    await appendMany(log, 25);
    const all = await exportToLines(ds, { pageSize: 10 });
    expect(all.lines).toHaveLength(25);
    expect(all.result).toMatchObject({ count: 25, first: { seq: 1 }, last: { seq: 25 } });
    const records = all.lines.map((l) => JSON.parse(l) as AuditRecordJson);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
    expect(await verifyExport(fileOf(all.lines))).toMatchObject({ ok: true, count: 25, head: { seq: 25 } });

    const part1 = await exportToLines(ds, { to: 10 });
    const part2 = await exportToLines(ds, { from: 11, to: 20 });
    expect(part1.lines).toHaveLength(10);
    expect(part2.result).toMatchObject({ count: 10, first: { seq: 11 }, last: { seq: 20 } });
    const anchor = part1.result.last ?? undefined;
    expect(await verifyExport(fileOf(part2.lines), { anchor })).toMatchObject({ ok: true, count: 10, head: { seq: 20 } });
    // Anchoring the second file on the wrong head is detected at its first record.
    expect(await verifyExport(fileOf(part2.lines), { anchor: { seq: 10, hash: records[3].hash } })).toMatchObject({
      ok: false,
      brokenAt: 11,
      reason: 'prev-hash-mismatch',
    });
  });

  it('detects edited, extended and truncated export files', async () => {
    await appendMany(log, 6);
    const { lines, result } = await exportToLines(ds);
    const edited = [...lines];
    edited[2] = edited[2].replace('"actor_partner_id":"unhcr-gt"', '"actor_partner_id":"iom-gt"');
    expect(await verifyExport(fileOf(edited))).toMatchObject({ ok: false, brokenAt: 3, reason: 'hash-mismatch' });

    const extended = [...lines];
    const withName = { ...(JSON.parse(extended[1]) as object), note: 'extra field outside the hash' };
    extended[1] = JSON.stringify(withName);
    expect(await verifyExport(fileOf(extended))).toMatchObject({ ok: false, brokenAt: 2, reason: 'hash-mismatch' });

    expect(await verifyExport(fileOf(lines.slice(0, 4)), { expectedHead: result.last ?? undefined })).toMatchObject({
      ok: false,
      brokenAt: 5,
      reason: 'truncated',
    });
  });
});
