import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { PROBLEM_TYPE_BASE } from '../../http/problem';
import { startConventionsApp, TEST_CLIENT_HEADER, TestThing } from '../../spec/conventions.fixture';
import { paginate } from './paginate';

interface PageBody {
  items: { id: string; createdAt: string; tag: string }[];
  nextCursor: string | null;
}

describe('cursor pagination (real HTTP + PostgreSQL)', () => {
  let app: NestFastifyApplication;
  let base: string;
  let db: DataSource;

  beforeAll(async () => {
    ({ app, base } = await startConventionsApp());
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
  });

  const list = (query: Record<string, string | number>) =>
    fetch(`${base}/v1/things?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`, {
      headers: { [TEST_CLIENT_HEADER]: 'lister' },
    });

  const page = async (query: Record<string, string | number>): Promise<PageBody> => {
    const res = await list(query);
    expect(res.status).toBe(200);
    return (await res.json()) as PageBody;
  };

  /** Inserts a row at base time + offset (microseconds) and returns its id. */
  const insert = async (tag: string, micros: number, id: string = randomUUID()): Promise<string> => {
    await db.query(
      `INSERT INTO spec_thing (id, tag, name, created_at)
       VALUES ($1, $2, 'p', timestamptz '2026-01-01T00:00:00Z' + $3::bigint * interval '1 microsecond')`,
      [id, tag, micros],
    );
    return id;
  };

  const orderedIds = async (tag: string, direction: 'ASC' | 'DESC' = 'ASC'): Promise<string[]> =>
    (await db.query(`SELECT id FROM spec_thing WHERE tag = $1 ORDER BY created_at ${direction}, id ${direction}`, [tag])).map(
      (r: { id: string }) => r.id,
    );

  /**
   * 36 rows: groups sharing one timestamp (ties broken by id), and timestamps that differ only
   * in microseconds within one millisecond (a cursor truncated to milliseconds would repeat rows).
   */
  const seed = async (tag: string): Promise<void> => {
    for (let i = 0; i < 12; i += 1) {
      const at = i * 1000 + (i % 2 === 0 ? 0 : 250); // ms-apart groups, some on fractional µs
      await insert(tag, at);
      await insert(tag, at);
      await insert(tag, at + 1 + (i % 3));
    }
  };

  it('walks a table that changes between pages without duplicates or skips', async () => {
    const tag = randomUUID();
    await seed(tag);
    const seen: string[] = [];
    const behindCursor = new Set<string>();
    const deleted = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body: PageBody = await page({ tag, limit: 5, ...(cursor ? { cursor } : {}) });
      expect(body.items.length).toBeLessThanOrEqual(5);
      seen.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
      pages += 1;
      if (cursor && pages <= 5) {
        const unread = (await orderedIds(tag)).filter((id) => !seen.includes(id) && !behindCursor.has(id));
        const last = seen[seen.length - 1];
        const [{ us }] = await db.query(
          `SELECT (extract(epoch FROM created_at - timestamptz '2026-01-01T00:00:00Z') * 1000000)::bigint AS us FROM spec_thing WHERE id = $1`,
          [last],
        );
        const lastMicros = Number(us);
        const n = String(pages).padStart(12, '0');
        // Rows inserted before the cursor position never appear: an earlier time, or the same time and a smaller id.
        behindCursor.add(await insert(tag, lastMicros - 1));
        behindCursor.add(await insert(tag, lastMicros, `00000000-0000-4000-8000-${n}`));
        // Rows inserted after it appear once: the same time and a larger id, or a later time.
        await insert(tag, lastMicros, `ffffffff-ffff-4fff-bfff-${n}`);
        await insert(tag, 10_000_000 + pages);
        // Deleting a row not read yet hides it; deleting one already read changes nothing.
        const victim = unread[Math.floor(unread.length / 2)];
        deleted.add(victim);
        await db.query('DELETE FROM spec_thing WHERE id = ANY($1::uuid[])', [[victim, seen[0]]]);
      }
    } while (cursor);

    expect(new Set(seen).size).toBe(seen.length);
    for (const id of behindCursor) expect(seen).not.toContain(id);
    for (const id of deleted) expect(seen).not.toContain(id);
    // Exactly the rows present throughout and those added ahead of the cursor were returned, in order
    // (plus the first row, read before it was deleted).
    const expected = (await orderedIds(tag)).filter((id) => !behindCursor.has(id));
    expect(seen).toEqual([seen[0], ...expected]);
    expect(expected).not.toContain(seen[0]);
    expect(pages).toBeGreaterThan(6);
  });

  it('pages one row at a time across microsecond-distinct timestamps, in both directions', async () => {
    const tag = randomUUID();
    for (const micros of [100, 200, 300, 301, 999, 1000]) await insert(tag, micros);
    await insert(tag, 300);
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const body: PageBody = await page({ tag, limit: 1, order, ...(cursor ? { cursor } : {}) });
        seen.push(...body.items.map((i) => i.id));
        cursor = body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(await orderedIds(tag, order === 'asc' ? 'ASC' : 'DESC'));
    }
  });

  it('uses limit 50 by default, accepts 1..200 and ends with nextCursor null', async () => {
    const tag = randomUUID();
    for (let i = 0; i < 60; i += 1) await insert(tag, i);
    const first = await page({ tag });
    expect(first.items).toHaveLength(50);
    expect(first.nextCursor).toEqual(expect.any(String));
    const rest = await page({ tag, cursor: first.nextCursor as string });
    expect(rest.items).toHaveLength(10);
    expect(rest.nextCursor).toBeNull();
    const exact = await page({ tag, limit: 60 });
    expect(exact.items).toHaveLength(60);
    expect(exact.nextCursor).toBeNull();
    expect((await page({ tag, limit: 200 })).items).toHaveLength(60);
    expect((await page({ tag, limit: 1 })).items).toHaveLength(1);
    expect(await page({ tag: randomUUID() })).toEqual({ items: [], nextCursor: null });
  });

  it.each(['0', '201', '-1', 'abc', '1.5', '1e2', ''])('rejects limit=%p with a 400 field error', async (limit) => {
    const res = await list({ tag: 'x', limit });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { type: string; errors: { field: string }[] };
    expect(problem.type).toBe(`${PROBLEM_TYPE_BASE}validation-error`);
    expect(problem.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['limit']));
  });

  it('rejects garbage, tampered, foreign and oversized cursors with a 400 field error on cursor', async () => {
    const tag = randomUUID();
    for (let i = 0; i < 4; i += 1) await insert(tag, i);
    const { nextCursor } = await page({ tag, limit: 2 });
    const valid = nextCursor as string;
    const flip = valid.slice(0, 20) + (valid[20] === 'A' ? 'B' : 'A') + valid.slice(21);
    const cases: [string, Record<string, string>][] = [
      ['garbage', { tag, cursor: 'not-a-cursor!' }],
      ['base64 of non-JSON', { tag, cursor: Buffer.from('hello').toString('base64url') }],
      ['tampered', { tag, cursor: flip }],
      ['other list', { tag: randomUUID(), cursor: valid }],
      ['other direction', { tag, cursor: valid, order: 'desc' }],
    ];
    for (const [label, query] of cases) {
      const res = await list(query);
      expect([label, res.status]).toEqual([label, 400]);
      const problem = (await res.json()) as { errors: unknown };
      expect([label, problem.errors]).toEqual([label, [expect.objectContaining({ field: 'cursor' })]]);
      expect(JSON.stringify(problem)).not.toContain(query.cursor);
    }
    const long = await list({ tag, cursor: 'A'.repeat(513) });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { errors: unknown }).errors).toEqual([expect.objectContaining({ field: 'cursor', code: 'maxLength' })]);
    expect((await list({ tag, cursor: valid })).status).toBe(200);
  });

  it('keeps OR conditions of the query builder bracketed when the cursor condition is added', async () => {
    const [a, b, other] = [randomUUID(), randomUUID(), randomUUID()];
    for (let i = 0; i < 5; i += 1) {
      await insert(a, i * 10);
      await insert(b, i * 10 + 1);
      await insert(other, i * 10 + 2);
    }
    const qb = db.getRepository(TestThing).createQueryBuilder('t').where('t.tag = :a', { a }).orWhere('t.tag = :b', { b });
    const sort = [
      { column: 't.created_at', key: 't', type: 'timestamp' as const },
      { column: 't.id', key: 'id', type: 'uuid' as const },
    ];
    const seen: TestThing[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages += 1) {
      const result = await paginate(qb, { limit: 3, cursor, sort });
      seen.push(...result.items);
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(seen).toHaveLength(10);
    expect(new Set(seen.map((t) => t.id)).size).toBe(10);
    expect(seen.every((t) => t.tag === a || t.tag === b)).toBe(true);
    expect(await qb.getCount()).toBe(10);
  });
});
