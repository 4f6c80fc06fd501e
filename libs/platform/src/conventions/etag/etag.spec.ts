import fc from 'fast-check';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../../http/problem';
import {
  assertIfMatch,
  assertVersionUpdated,
  computeEtag,
  isNotModified,
  parseEntityTagList,
  strongEtagMatch,
  weakEtagMatch,
} from './etag';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;

function statusOf(fn: () => void): number | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    return (error as ProblemException).getStatus();
  }
}

describe('ETag helpers', () => {
  it('derive a stable strong tag from id and version, distinct across ids and versions (property)', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.nat(), fc.nat(), (id1, id2, v1, v2) => {
        const tag = computeEtag({ id: id1, version: v1 });
        expect(tag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
        expect(computeEtag({ id: id1, version: v1 })).toBe(tag);
        if (v1 !== v2) expect(computeEtag({ id: id1, version: v2 })).not.toBe(tag);
        if (id1 !== id2) expect(computeEtag({ id: id2, version: v1 })).not.toBe(tag);
      }),
    );
  });

  it('supports updatedAt sources and weak tags', () => {
    const at = new Date('2026-03-01T10:00:00.123Z');
    expect(computeEtag({ id: 1, updatedAt: at })).toBe(computeEtag({ id: 1, updatedAt: '2026-03-01T10:00:00.123Z' }));
    expect(computeEtag({ id: 1, updatedAt: at })).not.toBe(computeEtag({ id: 1, version: 1 }));
    const weak = computeEtag({ id: 1, version: 1 }, { weak: true });
    expect(weak).toBe(`W/${computeEtag({ id: 1, version: 1 })}`);
    expect(weakEtagMatch(weak, computeEtag({ id: 1, version: 1 }))).toBe(true);
    expect(strongEtagMatch(weak, computeEtag({ id: 1, version: 1 }))).toBe(false);
  });

  it('parses entity-tag lists, including commas inside tags, and rejects malformed ones', () => {
    expect(parseEntityTagList('*')).toBe('*');
    expect(parseEntityTagList('"a", W/"b,c" ,"d"')).toEqual([
      { weak: false, opaque: 'a' },
      { weak: true, opaque: 'b,c' },
      { weak: false, opaque: 'd' },
    ]);
    for (const bad of ['abc', '"a', 'W/a', '"a" "b"', '', '"a",,']) expect(parseEntityTagList(bad)).toBeUndefined();
  });

  it('assertIfMatch: 428 when missing, 400 when malformed, 412 when stale or weak, passes when current', () => {
    const current = computeEtag({ id: 'x', version: 2 });
    const stale = computeEtag({ id: 'x', version: 1 });
    expect(statusOf(() => assertIfMatch(request({}), current))).toBe(428);
    expect(statusOf(() => assertIfMatch(request({ 'if-match': ' ' }), current))).toBe(428);
    expect(statusOf(() => assertIfMatch(request({ 'if-match': 'nope' }), current))).toBe(400);
    expect(statusOf(() => assertIfMatch(request({ 'if-match': stale }), current))).toBe(412);
    expect(statusOf(() => assertIfMatch(request({ 'if-match': `W/${current}` }), current))).toBe(412);
    expect(statusOf(() => assertIfMatch(request({ 'if-match': current }), undefined))).toBe(412);
    expect(statusOf(() => assertIfMatch(request({ 'if-match': '*' }), undefined))).toBe(412);
    expect(statusOf(() => assertIfMatch(request({ 'if-match': current }), current))).toBeUndefined();
    expect(statusOf(() => assertIfMatch(request({ 'if-match': `${stale}, ${current}` }), current))).toBeUndefined();
    expect(statusOf(() => assertIfMatch(request({ 'if-match': '*' }), current))).toBeUndefined();
  });

  it('isNotModified uses the weak comparison and ignores malformed headers', () => {
    const current = computeEtag({ id: 'x', version: 2 });
    expect(isNotModified(request({}), current)).toBe(false);
    expect(isNotModified(request({ 'if-none-match': current }), current)).toBe(true);
    expect(isNotModified(request({ 'if-none-match': `W/${current}` }), current)).toBe(true);
    expect(isNotModified(request({ 'if-none-match': '*' }), current)).toBe(true);
    expect(isNotModified(request({ 'if-none-match': '*' }), undefined)).toBe(false);
    expect(isNotModified(request({ 'if-none-match': '"other"' }), current)).toBe(false);
    expect(isNotModified(request({ 'if-none-match': 'garbage' }), current)).toBe(false);
  });

  it('assertVersionUpdated: 412 when the conditional UPDATE changed nothing', () => {
    expect(statusOf(() => assertVersionUpdated({ affected: 0 }))).toBe(412);
    expect(statusOf(() => assertVersionUpdated({ affected: 1 }))).toBeUndefined();
  });
});
