module.exports = {
  displayName: 'intake',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // Suites start the real service against PostgreSQL and Kafka (joining a consumer group takes seconds).
  testTimeout: 60_000,
};
