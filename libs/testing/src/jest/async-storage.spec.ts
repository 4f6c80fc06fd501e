import { AsyncLocalStorage } from 'node:async_hooks';
import { join } from 'node:path';

/** What Jest does at the start of the next test file of this worker. */
const nextTestFile = () => jest.isolateModules(() => require(join(__dirname, 'async-storage.js')));

describe('AsyncLocalStorage instances left by earlier test files (jest setup file)', () => {
  it('are turned off when the next test file starts, and work again if used again', () => {
    const requestContext = new AsyncLocalStorage<{ requestId: string }>();
    requestContext.enterWith({ requestId: 'r-1' });
    expect(requestContext.getStore()).toEqual({ requestId: 'r-1' });

    nextTestFile();
    // Off: nothing is kept for it any more, so it costs new promises nothing.
    expect(requestContext.getStore()).toBeUndefined();

    // Still usable by anything that runs it again.
    expect(requestContext.run({ requestId: 'r-2' }, () => requestContext.getStore())).toEqual({ requestId: 'r-2' });
  });
});
