/**
 * One DynamoDB document client per process (shared/store/doc.ts, on the low-level client built with
 * `SDK_CLIENT_DEFAULTS`). The endpoint comes from the SDK's own AWS_ENDPOINT_URL_DYNAMODB (set by the
 * local runtime), so cloud and laptop run this same code.
 *
 * Conditional writes go through `conditionalSend` / `conditionalWrite`: a condition that does not
 * hold (a late or duplicate event, a lease taken by someone else) is an answer, not an error.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SDK_CLIENT_DEFAULTS } from '../sdk-clients.ts';
import {
  type DeleteCommand,
  type DeleteCommandOutput,
  DocumentClient,
  type PutCommand,
  type PutCommandOutput,
  type TransactWriteCommand,
  type TransactWriteCommandOutput,
  type UpdateCommand,
  type UpdateCommandOutput,
} from './doc.ts';

let doc: DocumentClient | undefined;

export const dynamo = (): DocumentClient => (doc ??= new DocumentClient(new DynamoDBClient({ ...SDK_CLIENT_DEFAULTS })));

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
export async function conditionalSend(client: DocumentClient, command: UpdateCommand): Promise<UpdateCommandOutput | undefined>;
export async function conditionalSend(client: DocumentClient, command: PutCommand): Promise<PutCommandOutput | undefined>;
export async function conditionalSend(client: DocumentClient, command: DeleteCommand): Promise<DeleteCommandOutput | undefined>;
export async function conditionalSend(
  client: DocumentClient,
  command: TransactWriteCommand,
): Promise<TransactWriteCommandOutput | undefined>;
export async function conditionalSend(
  client: DocumentClient,
  command: UpdateCommand | PutCommand | DeleteCommand | TransactWriteCommand,
): Promise<object | undefined> {
  try {
    return await client.send<object>(command);
  } catch (err) {
    if (isConditionalFailure(err)) return undefined;
    throw err;
  }
}

/** A conditional write: true when it was applied, false when its condition did not hold. */
export const conditionalWrite = async (
  client: DocumentClient,
  command: UpdateCommand | PutCommand | DeleteCommand | TransactWriteCommand,
): Promise<boolean> => (await conditionalSend(client, command as UpdateCommand)) !== undefined;
