// One Jest run over every project, so `npm test` reports a single JSON result.
module.exports = {
  projects: ['<rootDir>/libs/*/jest.config.js', '<rootDir>/services/*/jest.config.js', '<rootDir>/e2e/jest.config.js'],
  // Also in jest.preset.js for single-project runs: real broker and database, so 30 s, not 5 s.
  testTimeout: 30_000,
};
