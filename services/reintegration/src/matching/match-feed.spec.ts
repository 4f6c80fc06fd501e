import { randomUUID } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import { type ReintegrationTestApp, startReintegration } from '../testing/harness';
import { MatchFeed } from './match-feed';

// The index of each instance follows the tables by transaction id: writes committed out of order,
// or still running while the index reads, must all reach it (real PostgreSQL, real app database).
describe('MatchFeed (real PostgreSQL): every committed write reaches the index, in any commit order', () => {
  let t: ReintegrationTestApp;

  beforeAll(async () => {
    t = await startReintegration('matchfeed');
  }, 90_000);

  afterAll(async () => {
    await t?.close();
  });

  const insertOpening = (runner: QueryRunner | ReintegrationTestApp['ds'], id: string, iscoCode = '7112') =>
    runner.query(
      `INSERT INTO job_opening (opening_id, employer_partner_id, title, isco_code, location_name, lat, lon, slots, opens_on, created_by_client)
       VALUES ($1, 'HN-EMP-01', 'Albañil', $2, 'San Pedro Sula', 15.5, -88.03, 1, current_date - 1, 'spec')`,
      [id, iscoCode],
    );

  it('picks up a transaction that began before a read and committed after it', async () => {
    const feed = new MatchFeed(t.ds);
    const early = randomUUID();
    const late = randomUUID();
    const slow = t.ds.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    try {
      await insertOpening(slow, early); // gets the lower transaction id, commits last
      await insertOpening(t.ds, late);
      await feed.catchUp();
      expect(feed.index.opening(late)).toBeDefined();
      expect(feed.index.opening(early)).toBeUndefined();
      await slow.commitTransaction();
    } finally {
      await slow.release();
    }
    await feed.catchUp();
    expect(feed.index.opening(early)).toBeDefined();
  });

  it('removes what stops taking placements and follows profiles emptied on erasure', async () => {
    const feed = new MatchFeed(t.ds);
    const id = randomUUID();
    const personId = randomUUID();
    await insertOpening(t.ds, id);
    await t.ds.query(`INSERT INTO match_profile (person_id, active, occupations, languages) VALUES ($1, true, '{7112}', '{es:C2}')`, [personId]);
    await feed.catchUp();
    expect(feed.index.topPeople(feed.index.opening(id)!, 10).map((r) => r.person.personId)).toContain(personId);
    await t.ds.query(`UPDATE job_opening SET slots_filled = 1, status = 'filled' WHERE opening_id = $1`, [id]);
    await t.ds.query(`UPDATE match_profile SET active = false, occupations = '{}', languages = '{}' WHERE person_id = $1`, [personId]);
    await feed.catchUp();
    expect(feed.index.opening(id)).toBeUndefined();
    expect(feed.index.profile(personId)).toBeUndefined();
    // A rolled-back write never shows.
    const rolledBack = randomUUID();
    await t.ds.transaction(async (tx) => {
      await insertOpening(tx as unknown as ReintegrationTestApp['ds'], rolledBack);
      throw new Error('rollback');
    }).catch(() => undefined);
    await feed.catchUp();
    expect(feed.index.opening(rolledBack)).toBeUndefined();
  });

  it('serves concurrent catch-ups with one read at a time, each seeing writes committed before it began', async () => {
    const feed = new MatchFeed(t.ds);
    const ids = Array.from({ length: 20 }, () => randomUUID());
    await Promise.all(ids.map(async (id) => {
      await insertOpening(t.ds, id);
      await feed.catchUp();
      expect(feed.index.opening(id)).toBeDefined();
    }));
  });
});
