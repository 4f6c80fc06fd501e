export { databaseUrl, freshDatabase, openTestDataSource, serverUrl, testDatabaseName, testDatabasePrefix, type TestDataSourceOptions } from './database';
export { eventually, uniqueName } from './eventually';
export { runTs, spawnTs, type TsProcess, type TsRun } from './process';
export { describeServiceContract, type ServiceUnderTest } from './service-contract';
export {
  expectProblem,
  problemFields,
  specIssuer,
  startServiceHarness,
  withEnv,
  type CallOptions,
  type ServiceHarness,
  type TestResponse,
  type TokenOptions,
} from './service-harness';
