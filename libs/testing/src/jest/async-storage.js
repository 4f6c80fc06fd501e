// Jest setup file (every test file, before its tests): turns off the AsyncLocalStorage instances
// that earlier test files of this worker left enabled.
//
// Jest loads every module afresh for each test file, so each one creates its own instances
// (nestjs-pino's request storage, jest-circus's test context). On Node 20 an instance joins a
// process-wide list on its first run() and stays there until disable(), and every promise the
// process creates afterwards walks that list. In a worker that runs a hundred suites, awaiting
// 100,000 times took 51 ms after the first file and 920 ms after the 29th. An instance turned
// off here is back on if anything still calls run() or enterWith() on it.
const { AsyncLocalStorage } = require('node:async_hooks');

const USED = Symbol.for('puente.jest.usedAsyncLocalStorages');

if (!AsyncLocalStorage[USED]) {
  // One registry per worker process: node:async_hooks is shared by all its test files.
  const used = new Set();
  AsyncLocalStorage[USED] = used;
  for (const method of ['run', 'enterWith']) {
    const original = AsyncLocalStorage.prototype[method];
    AsyncLocalStorage.prototype[method] = function (...args) {
      used.add(this);
      return original.apply(this, args);
    };
  }
} else {
  const used = AsyncLocalStorage[USED];
  for (const storage of used) storage.disable();
  used.clear();
}
