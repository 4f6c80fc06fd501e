// Shared Jest settings: SWC transpiles TypeScript with decorator metadata (Nest DI needs it),
// and @puente/* imports resolve to each library's public entry point.
const path = require('node:path');
const root = __dirname;
const libs = ['contracts', 'messaging', 'platform', 'testing', 'auth', 'privacy', 'audit', 'federation', 'rules', 'reports'];

module.exports = {
  testEnvironment: 'node',
  // Tests talk to a real broker and database: joining a consumer group or leaving it on close
  // can take seconds on a busy 2-core machine, so hooks and tests get 30 s, not Jest's 5 s.
  testTimeout: 30_000,
  transform: {
    '^.+\\.ts$': [
      require.resolve('@swc/jest'),
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
    // jose 6 is ESM-only; Jest's require() needs it as CommonJS (Node < 24.9).
    'node_modules/jose/.+\\.js$': [
      require.resolve('@swc/jest'),
      { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: Object.fromEntries(
    libs.map((l) => [`^@puente/${l}$`, path.join(root, 'libs', l, 'src', 'index.ts')]),
  ),
  // Keeps promises as cheap in a worker's hundredth test file as in its first (see the file).
  setupFiles: [path.join(root, 'libs/testing/src/jest/async-storage.js')],
  globalSetup: path.join(root, 'libs/testing/src/jest/global-setup.js'),
  globalTeardown: path.join(root, 'libs/testing/src/jest/global-teardown.js'),
};
