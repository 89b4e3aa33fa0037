/**
 * vitest globalSetup of the lanes that run the platform (conformance, integration): ONE DynamoDB
 * Local per lane, started before the lane's files and stopped after them. Its endpoint is
 * `provide`d to the test files; each platform they start creates its own tables there under its
 * own prefix (test/support/platform.ts), so the files stay independent and may run in parallel.
 */
import type { TestProject } from 'vitest/node';
import { startDynamo } from '../../infra/local/dynamodb.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** the lane's DynamoDB Local (absent outside the platform lanes: a platform then starts its own) */
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  // no tables here: every platform creates the topology's tables under its own prefix
  const dynamo = await startDynamo({ tables: [], region: 'ap-northeast-1' });
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
