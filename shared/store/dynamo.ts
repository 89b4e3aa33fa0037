/**
 * One DynamoDB document client per process. The endpoint comes from the SDK's own
 * AWS_ENDPOINT_URL_DYNAMODB (set by the local runtime), so cloud and laptop run this same code.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '#powertools';

let doc: DynamoDBDocumentClient | undefined;

export const dynamo = (): DynamoDBDocumentClient =>
  (doc ??= DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  }));

/** True when a conditional write lost (the record already exists / changed). */
export const isConditionalFailure = (err: unknown): boolean =>
  err instanceof Error &&
  (err.name === 'ConditionalCheckFailedException' ||
    (err.name === 'TransactionCanceledException' && /ConditionalCheckFailed/.test(err.message)));

/** A transaction cancelled because another one touched the same items at the same time (AWS, under contention). */
export const isTransactionConflict = (err: unknown): boolean =>
  err instanceof Error &&
  (err.name === 'TransactionConflictException' || (err.name === 'TransactionCanceledException' && /TransactionConflict/.test(err.message)));
