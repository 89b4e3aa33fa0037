/**
 * One DynamoDB document client per process. The endpoint comes from the SDK's own
 * AWS_ENDPOINT_URL_DYNAMODB (set by the local runtime), so cloud and laptop run this same code.
 *
 * Conditional writes go through `conditionalSend` / `conditionalWrite`: a condition that does not
 * hold (a late or duplicate event, a lease taken by someone else) is an answer, not an error.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DeleteCommand,
  type DeleteCommandOutput,
  DynamoDBDocumentClient,
  type PutCommand,
  type PutCommandOutput,
  type TransactWriteCommand,
  type TransactWriteCommandOutput,
  type UpdateCommand,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';

let doc: DynamoDBDocumentClient | undefined;

export const dynamo = (): DynamoDBDocumentClient =>
  (doc ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
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

/**
 * Send a conditional write: its output, or undefined when the condition did not hold
 * (ConditionalCheckFailedException, or a transaction cancelled for a ConditionalCheckFailed reason).
 * Every other error is thrown.
 */
export async function conditionalSend(client: DynamoDBDocumentClient, command: UpdateCommand): Promise<UpdateCommandOutput | undefined>;
export async function conditionalSend(client: DynamoDBDocumentClient, command: PutCommand): Promise<PutCommandOutput | undefined>;
export async function conditionalSend(client: DynamoDBDocumentClient, command: DeleteCommand): Promise<DeleteCommandOutput | undefined>;
export async function conditionalSend(
  client: DynamoDBDocumentClient,
  command: TransactWriteCommand,
): Promise<TransactWriteCommandOutput | undefined>;
export async function conditionalSend(
  client: DynamoDBDocumentClient,
  command: UpdateCommand | PutCommand | DeleteCommand | TransactWriteCommand,
): Promise<object | undefined> {
  try {
    // one call site for four command types: the overloads above keep the callers typed
    return await client.send(command as UpdateCommand);
  } catch (err) {
    if (isConditionalFailure(err)) return undefined;
    throw err;
  }
}

/** A conditional write: true when it was applied, false when its condition did not hold. */
export const conditionalWrite = async (
  client: DynamoDBDocumentClient,
  command: UpdateCommand | PutCommand | DeleteCommand | TransactWriteCommand,
): Promise<boolean> => (await conditionalSend(client, command as UpdateCommand)) !== undefined;
