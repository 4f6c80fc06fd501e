export {
  databaseUrl,
  freshDatabase,
  openTestDataSource,
  serverUrl,
  someoneWaitsForALock,
  testDatabaseName,
  testDatabasePrefix,
  type TestDataSourceOptions,
} from './database';
export { eventually, uniqueName } from './eventually';
export { consumedEvent } from './inbox';
export { runTs, spawnTs, type TsProcess, type TsRun } from './process';
export { startServiceProcess, type ServiceProcess } from './service-process';
export { describeServiceContract, type ServiceUnderTest } from './service-contract';
export { asyncApiIssues, validateAsyncApi } from './asyncapi';
export { describeSkeletonService } from './skeleton-service';
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
export { describeHostileInput, startPlainService, type HostileTarget } from './hostile/describe';
export { runHostileInput, summarizeHostileReport, saveHostileReport, isProblemJson, type HostileReport, type HostileRunOptions, type Violation } from './hostile/runner';
export { operationsOf, documentsStatus, derefSchema, type OpenApiDocument, type Operation, type Schema } from './hostile/openapi';
export { sendRaw, type RawRequest, type RawResponse } from './hostile/raw-http';
export { openApiSchemaIssues, type SchemaIssue } from './hostile/schema-lint';
