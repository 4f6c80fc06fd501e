import type { DataSource } from 'typeorm';
import { auditRecordHash, type AuditRecordJson } from './canonical';
import { appendMany, auditLogOn, openAuditDataSource, resetChain, tamper } from './spec/helpers';
import { CANONICAL_COLUMNS } from './sql';
import { verifyChain } from './verify';

const SIZE = 12;

async function recordAt(ds: DataSource, seq: number): Promise<AuditRecordJson> {
  const [row] = (await ds.query(`SELECT ${CANONICAL_COLUMNS} FROM audit_record WHERE seq = $1`, [seq])) as AuditRecordJson[];
  return row;
}

describe('verifyChain names the first tampered record (privileged attacker, trigger disabled)', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await openAuditDataSource('audit_tamper');
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  // Every case starts from a fresh chain of SIZE records.
  beforeEach(async () => {
    await resetChain(ds);
    await appendMany(auditLogOn(ds), SIZE);
    expect(await verifyChain(ds)).toMatchObject({ ok: true, count: SIZE });
  });

  it.each([
    ['actor_partner_id', `'iom-gt'`],
    ['action', `'person.update'`],
    ['outcome', `'denied'`],
    ['object_id', 'NULL'],
    ['occurred_at', `occurred_at + interval '1 millisecond'`],
    ['prev_hash', `repeat('a', 64)`],
    ['id', 'gen_random_uuid()'],
  ])('edited %s of record 5 → brokenAt 5, hash-mismatch', async (column, value) => {
    await tamper(ds, `UPDATE audit_record SET ${column} = ${value} WHERE seq = 5`);
    expect(await verifyChain(ds)).toEqual({ ok: false, brokenAt: 5, reason: 'hash-mismatch', count: 4 });
  });

  it('edited record 5 with a recomputed hash → brokenAt 6, prev-hash-mismatch', async () => {
    const original = await recordAt(ds, 5);
    const forged = { ...original, actor_partner_id: 'iom-gt' };
    const { hash: _old, ...unhashed } = forged;
    await tamper(ds, `UPDATE audit_record SET actor_partner_id = 'iom-gt', hash = '${auditRecordHash(unhashed)}' WHERE seq = 5`);
    expect(await verifyChain(ds)).toEqual({ ok: false, brokenAt: 6, reason: 'prev-hash-mismatch', count: 5 });
  });

  it('deleted record 5 → brokenAt 5, gap', async () => {
    await tamper(ds, 'DELETE FROM audit_record WHERE seq = 5');
    expect(await verifyChain(ds)).toEqual({ ok: false, brokenAt: 5, reason: 'gap', count: 4 });
  });

  it('deleted record 1 → brokenAt 1, gap', async () => {
    await tamper(ds, 'DELETE FROM audit_record WHERE seq = 1');
    expect(await verifyChain(ds)).toMatchObject({ ok: false, brokenAt: 1, reason: 'gap' });
  });

  it.each([
    [4, 9],
    [4, 5],
    [1, SIZE],
  ])('swapped seq values of records %i and %i → brokenAt the first, reordered', async (a, b) => {
    await tamper(
      ds,
      `UPDATE audit_record SET seq = 1000000 WHERE seq = ${a}`,
      `UPDATE audit_record SET seq = ${a} WHERE seq = ${b}`,
      `UPDATE audit_record SET seq = ${b} WHERE seq = 1000000`,
    );
    expect(await verifyChain(ds)).toEqual({ ok: false, brokenAt: a, reason: 'reordered', count: a - 1 });
  });

  it('deleted record 5 and renumbered the rest → brokenAt 5', async () => {
    await tamper(ds, 'DELETE FROM audit_record WHERE seq = 5', 'UPDATE audit_record SET seq = seq - 1 WHERE seq > 5');
    expect(await verifyChain(ds)).toMatchObject({ ok: false, brokenAt: 5, reason: 'hash-mismatch' });
  });

  it('finds the break in a later page too', async () => {
    await tamper(ds, `UPDATE audit_record SET purpose = 'referral' WHERE seq = 11`);
    expect(await verifyChain(ds, { pageSize: 3 })).toMatchObject({ ok: false, brokenAt: 11, reason: 'hash-mismatch' });
  });

  it('reports the first of several breaks', async () => {
    await tamper(ds, 'DELETE FROM audit_record WHERE seq = 9', `UPDATE audit_record SET actor_subject = 'someone' WHERE seq = 3`);
    expect(await verifyChain(ds)).toMatchObject({ ok: false, brokenAt: 3, reason: 'hash-mismatch' });
  });

  describe('tail truncation is detectable only against a head kept outside the database', () => {
    it('looks intact without an expected head, and is reported as truncated with one', async () => {
      const before = await verifyChain(ds);
      if (!before.ok || !before.head) throw new Error('chain should be intact');
      const expectedHead = before.head;
      await tamper(ds, `DELETE FROM audit_record WHERE seq >= ${SIZE - 1}`);
      // A shorter chain is still a valid chain...
      expect(await verifyChain(ds)).toMatchObject({ ok: true, count: SIZE - 2, head: { seq: SIZE - 2 } });
      // ...but not the one whose head was exported.
      expect(await verifyChain(ds, { expectedHead })).toEqual({ ok: false, brokenAt: SIZE - 1, reason: 'truncated', count: SIZE - 2 });
    });

    it('accepts a chain that grew after the head was taken', async () => {
      const before = await verifyChain(ds);
      if (!before.ok || !before.head) throw new Error('chain should be intact');
      await appendMany(auditLogOn(ds), 3);
      expect(await verifyChain(ds, { expectedHead: before.head })).toMatchObject({ ok: true, count: SIZE + 3 });
    });

    it('reports a consistently rewritten chain as head-mismatch at the expected head', async () => {
      const before = await verifyChain(ds);
      if (!before.ok || !before.head) throw new Error('chain should be intact');
      // Rewrite records 7..SIZE and re-hash them all, so the chain itself is consistent again.
      let prevHash = (await recordAt(ds, 6)).hash;
      const statements: string[] = [];
      for (let seq = 7; seq <= SIZE; seq += 1) {
        const { hash: _old, ...rest } = await recordAt(ds, seq);
        const forged = { ...rest, actor_partner_id: 'iom-gt', prev_hash: prevHash };
        prevHash = auditRecordHash(forged);
        statements.push(`UPDATE audit_record SET actor_partner_id = 'iom-gt', prev_hash = '${forged.prev_hash}', hash = '${prevHash}' WHERE seq = ${seq}`);
      }
      await tamper(ds, ...statements);
      expect(await verifyChain(ds)).toMatchObject({ ok: true, count: SIZE });
      expect(await verifyChain(ds, { expectedHead: before.head })).toEqual({ ok: false, brokenAt: SIZE, reason: 'head-mismatch', count: SIZE - 1 });
    });
  });
});
