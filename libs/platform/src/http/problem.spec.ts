import { HttpException } from '@nestjs/common';
import { PROBLEM_TYPE_BASE, ProblemException, problemTypeUri } from './problem';

describe('ProblemException', () => {
  it('is an HttpException carrying RFC 9457 members and extensions', () => {
    const e = new ProblemException(409, 'illegal-transition', 'Illegal transition', 'A rejected referral cannot be completed.', {
      from: 'rejected',
      to: 'completed',
      status: 'ignored',
      type: 'ignored',
    }, { headers: { ETag: '"3"' } });
    expect(e).toBeInstanceOf(HttpException);
    expect(e.getStatus()).toBe(409);
    expect(e.headers).toEqual({ ETag: '"3"' });
    expect(e.toProblem('/v1/referrals/1', 'req-1')).toEqual({
      type: `${PROBLEM_TYPE_BASE}illegal-transition`,
      title: 'Illegal transition',
      status: 409,
      detail: 'A rejected referral cannot be completed.',
      instance: '/v1/referrals/1',
      requestId: 'req-1',
      from: 'rejected',
      to: 'completed',
    });
  });

  it('keeps absolute type URIs', () => {
    expect(problemTypeUri('about:blank')).toBe('about:blank');
    expect(problemTypeUri('https://example.org/p/x')).toBe('https://example.org/p/x');
    expect(problemTypeUri('stale-etag')).toBe(`${PROBLEM_TYPE_BASE}stale-etag`);
    expect(ProblemException.preconditionFailed('The resource changed.').getStatus()).toBe(412);
  });
});
