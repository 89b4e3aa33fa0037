/**
 * Our DynamoDB document layer: the commands the store sends, with native values (strings, numbers,
 * booleans, null, maps, lists, Sets, Uint8Array), on the low-level `DynamoDBClient`.
 *
 * Why not `@aws-sdk/lib-dynamodb`: its commands resolve a second middleware stack on every call and
 * refuse `cacheMiddleware` (README "Node CPU per AWS SDK call"); here a command marshals its input,
 * sends the one low-level command on a client built with `SDK_CLIENT_DEFAULTS`, and unmarshals the
 * output — the same names and input/output shapes as lib-dynamodb's, and the same marshalling
 * (`@aws-sdk/util-dynamodb`, `removeUndefinedValues: true`, `convertClassInstanceToMap: false`):
 * undefined dropped from maps and lists, a class instance refused, numbers as JS numbers.
 *
 * Converted: Item, Key, ExpressionAttributeValues, ExclusiveStartKey (in); Item, Items, Attributes,
 * LastEvaluatedKey, Responses, UnprocessedKeys/Items (out); BatchGet/BatchWrite RequestItems and
 * TransactWrite TransactItems; the Item of a ConditionalCheckFailedException and of a
 * TransactionCanceledException's CancellationReasons. The legacy parameters (Expected,
 * AttributeUpdates, KeyConditions, QueryFilter, ScanFilter) are not offered.
 *
 * Where it differs from lib-dynamodb (no caller depends on these): a top-level Item / Key / values
 * map that is a class instance is refused (lib-dynamodb marshalled it entry by entry);
 * ItemCollectionMetrics stays marshalled (nothing asks for it); a failed condition's Item is
 * unmarshalled (lib-dynamodb left it marshalled); the paginators start from the input's
 * ExclusiveStartKey and never change the caller's input.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandInput,
  type BatchGetItemCommandOutput,
  BatchWriteItemCommand,
  type BatchWriteItemCommandInput,
  type BatchWriteItemCommandOutput,
  type ConditionCheck,
  type Delete,
  DeleteItemCommand,
  type DeleteItemCommandInput,
  type DeleteItemCommandOutput,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  type GetItemCommandOutput,
  type KeysAndAttributes,
  type Put,
  PutItemCommand,
  type PutItemCommandInput,
  type PutItemCommandOutput,
  QueryCommand as QueryItemsCommand,
  type QueryCommandInput as QueryItemsInput,
  type QueryCommandOutput as QueryItemsOutput,
  ScanCommand as ScanItemsCommand,
  type ScanCommandInput as ScanItemsInput,
  type ScanCommandOutput as ScanItemsOutput,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
  type TransactWriteItemsCommandOutput,
  type Update,
  UpdateItemCommand,
  type UpdateItemCommandInput,
  type UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { marshall, type NativeAttributeValue, unmarshall } from '@aws-sdk/util-dynamodb';

type Native = Record<string, NativeAttributeValue>;
type Attrs = Record<string, AttributeValue>;

const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;

const toAttrs = (x: Native): Attrs => marshall(x, MARSHALL);
function opt(x: Native): Attrs;
function opt(x: Native | undefined): Attrs | undefined;
function opt(x: Native | undefined): Attrs | undefined {
  return x === undefined ? undefined : toAttrs(x);
}
const fromAttrs = (x: Attrs): Native => unmarshall(x);
const optOut = (x: Attrs | undefined): Native | undefined => (x === undefined ? undefined : fromAttrs(x));
const many = (xs: Attrs[]): Native[] => xs.map(fromAttrs);
/** in place, when set: `o[k] = f(o[k])` (an output the SDK just built is ours to change; no key is added) */
const swap = (o: object, k: string, f: (v: never) => unknown): void => {
  const r = o as Record<string, unknown>;
  if (r[k] !== undefined) r[k] = f(r[k] as never);
};
function mapValues<A, B>(o: Record<string, A>, f: (a: A) => B): Record<string, B>;
function mapValues<A, B>(o: Record<string, A> | undefined, f: (a: A) => B): Record<string, B> | undefined;
function mapValues<A, B>(o: Record<string, A> | undefined, f: (a: A) => B): Record<string, B> | undefined {
  if (o === undefined) return undefined;
  const out: Record<string, B> = {};
  for (const k of Object.keys(o)) out[k] = f(o[k] as A);
  return out;
}

/** the native values of an expression (ExpressionAttributeValues) and of a key or item */
interface WithValues {
  ExpressionAttributeValues?: Native | undefined;
}

/** A command of this layer: its native input, sent by `DocumentClient.send`. */
export abstract class DocCommand<Input extends object, Output extends object> {
  constructor(readonly input: Input) {}
  /** send the low-level command on `client`; the output unmarshalled */
  abstract run(client: DynamoDBClient): Promise<Output>;
}

// ─────────────────────────────── single-item commands ───────────────────────────────

export type GetCommandInput = Omit<GetItemCommandInput, 'Key'> & { Key: Native | undefined };
export type GetCommandOutput = Omit<GetItemCommandOutput, 'Item'> & { Item?: Native | undefined };
export class GetCommand extends DocCommand<GetCommandInput, GetCommandOutput> {
  async run(client: DynamoDBClient): Promise<GetCommandOutput> {
    const out = await client.send(new GetItemCommand({ ...this.input, Key: opt(this.input.Key) }));
    swap(out, 'Item', fromAttrs);
    return out as GetCommandOutput;
  }
}

export type PutCommandInput = Omit<PutItemCommandInput, 'Item' | 'ExpressionAttributeValues' | 'Expected'> &
  WithValues & { Item: Native | undefined };
export type PutCommandOutput = Omit<PutItemCommandOutput, 'Attributes'> & { Attributes?: Native | undefined };
export class PutCommand extends DocCommand<PutCommandInput, PutCommandOutput> {
  async run(client: DynamoDBClient): Promise<PutCommandOutput> {
    const { Item, ExpressionAttributeValues, ...rest } = this.input;
    const out = await client.send(
      new PutItemCommand({ ...rest, Item: opt(Item), ExpressionAttributeValues: opt(ExpressionAttributeValues) }),
    );
    swap(out, 'Attributes', fromAttrs);
    return out as PutCommandOutput;
  }
}

export type UpdateCommandInput = Omit<UpdateItemCommandInput, 'Key' | 'ExpressionAttributeValues' | 'Expected' | 'AttributeUpdates'> &
  WithValues & { Key: Native | undefined };
export type UpdateCommandOutput = Omit<UpdateItemCommandOutput, 'Attributes'> & { Attributes?: Native | undefined };
export class UpdateCommand extends DocCommand<UpdateCommandInput, UpdateCommandOutput> {
  async run(client: DynamoDBClient): Promise<UpdateCommandOutput> {
    const { Key, ExpressionAttributeValues, ...rest } = this.input;
    const out = await client.send(
      new UpdateItemCommand({ ...rest, Key: opt(Key), ExpressionAttributeValues: opt(ExpressionAttributeValues) }),
    );
    swap(out, 'Attributes', fromAttrs);
    return out as UpdateCommandOutput;
  }
}

export type DeleteCommandInput = Omit<DeleteItemCommandInput, 'Key' | 'ExpressionAttributeValues' | 'Expected'> &
  WithValues & { Key: Native | undefined };
export type DeleteCommandOutput = Omit<DeleteItemCommandOutput, 'Attributes'> & { Attributes?: Native | undefined };
export class DeleteCommand extends DocCommand<DeleteCommandInput, DeleteCommandOutput> {
  async run(client: DynamoDBClient): Promise<DeleteCommandOutput> {
    const { Key, ExpressionAttributeValues, ...rest } = this.input;
    const out = await client.send(
      new DeleteItemCommand({ ...rest, Key: opt(Key), ExpressionAttributeValues: opt(ExpressionAttributeValues) }),
    );
    swap(out, 'Attributes', fromAttrs);
    return out as DeleteCommandOutput;
  }
}

// ─────────────────────────────── Query and Scan ───────────────────────────────

export type QueryCommandInput = Omit<QueryItemsInput, 'ExclusiveStartKey' | 'ExpressionAttributeValues' | 'KeyConditions' | 'QueryFilter'> &
  WithValues & { ExclusiveStartKey?: Native | undefined };
export type QueryCommandOutput = Omit<QueryItemsOutput, 'Items' | 'LastEvaluatedKey'> & {
  Items?: Native[] | undefined;
  LastEvaluatedKey?: Native | undefined;
};
export class QueryCommand extends DocCommand<QueryCommandInput, QueryCommandOutput> {
  async run(client: DynamoDBClient): Promise<QueryCommandOutput> {
    const { ExclusiveStartKey, ExpressionAttributeValues, ...rest } = this.input;
    const out = await client.send(
      new QueryItemsCommand({
        ...rest,
        ExclusiveStartKey: opt(ExclusiveStartKey),
        ExpressionAttributeValues: opt(ExpressionAttributeValues),
      }),
    );
    swap(out, 'Items', many);
    swap(out, 'LastEvaluatedKey', fromAttrs);
    return out as QueryCommandOutput;
  }
}

export type ScanCommandInput = Omit<ScanItemsInput, 'ExclusiveStartKey' | 'ExpressionAttributeValues' | 'ScanFilter'> &
  WithValues & { ExclusiveStartKey?: Native | undefined };
export type ScanCommandOutput = Omit<ScanItemsOutput, 'Items' | 'LastEvaluatedKey'> & {
  Items?: Native[] | undefined;
  LastEvaluatedKey?: Native | undefined;
};
export class ScanCommand extends DocCommand<ScanCommandInput, ScanCommandOutput> {
  async run(client: DynamoDBClient): Promise<ScanCommandOutput> {
    const { ExclusiveStartKey, ExpressionAttributeValues, ...rest } = this.input;
    const out = await client.send(
      new ScanItemsCommand({
        ...rest,
        ExclusiveStartKey: opt(ExclusiveStartKey),
        ExpressionAttributeValues: opt(ExpressionAttributeValues),
      }),
    );
    swap(out, 'Items', many);
    swap(out, 'LastEvaluatedKey', fromAttrs);
    return out as ScanCommandOutput;
  }
}

// ─────────────────────────────── batches and transactions ───────────────────────────────

type NativeKeysAndAttributes = Omit<KeysAndAttributes, 'Keys'> & { Keys: Native[] | undefined };
const keysIn = (k: NativeKeysAndAttributes): KeysAndAttributes => ({ ...k, Keys: k.Keys?.map(toAttrs) });
const keysOut = (k: KeysAndAttributes): NativeKeysAndAttributes => ({ ...k, Keys: k.Keys && many(k.Keys) });

export type BatchGetCommandInput = Omit<BatchGetItemCommandInput, 'RequestItems'> & {
  RequestItems: Record<string, NativeKeysAndAttributes> | undefined;
};
export type BatchGetCommandOutput = Omit<BatchGetItemCommandOutput, 'Responses' | 'UnprocessedKeys'> & {
  Responses?: Record<string, Native[]> | undefined;
  UnprocessedKeys?: Record<string, NativeKeysAndAttributes> | undefined;
};
export class BatchGetCommand extends DocCommand<BatchGetCommandInput, BatchGetCommandOutput> {
  async run(client: DynamoDBClient): Promise<BatchGetCommandOutput> {
    const out = await client.send(new BatchGetItemCommand({ ...this.input, RequestItems: mapValues(this.input.RequestItems, keysIn) }));
    swap(out, 'Responses', (r: Record<string, Attrs[]>) => mapValues(r, many));
    swap(out, 'UnprocessedKeys', (u: Record<string, KeysAndAttributes>) => mapValues(u, keysOut));
    return out as BatchGetCommandOutput;
  }
}

interface NativeWriteRequest {
  PutRequest?: { Item: Native | undefined } | undefined;
  DeleteRequest?: { Key: Native | undefined } | undefined;
}
type WriteRequest = NonNullable<BatchWriteItemCommandInput['RequestItems']>[string][number];
const writeIn = (r: NativeWriteRequest): WriteRequest => ({
  ...(r.PutRequest && { PutRequest: { ...r.PutRequest, Item: opt(r.PutRequest.Item) } }),
  ...(r.DeleteRequest && { DeleteRequest: { ...r.DeleteRequest, Key: opt(r.DeleteRequest.Key) } }),
});
const writeOut = (r: WriteRequest): NativeWriteRequest => ({
  ...(r.PutRequest && { PutRequest: { ...r.PutRequest, Item: optOut(r.PutRequest.Item) } }),
  ...(r.DeleteRequest && { DeleteRequest: { ...r.DeleteRequest, Key: optOut(r.DeleteRequest.Key) } }),
});

export type BatchWriteCommandInput = Omit<BatchWriteItemCommandInput, 'RequestItems'> & {
  RequestItems: Record<string, NativeWriteRequest[]> | undefined;
};
export type BatchWriteCommandOutput = Omit<BatchWriteItemCommandOutput, 'UnprocessedItems'> & {
  UnprocessedItems?: Record<string, NativeWriteRequest[]> | undefined;
};
export class BatchWriteCommand extends DocCommand<BatchWriteCommandInput, BatchWriteCommandOutput> {
  async run(client: DynamoDBClient): Promise<BatchWriteCommandOutput> {
    const RequestItems = mapValues(this.input.RequestItems, (rs) => rs.map(writeIn));
    const out = await client.send(new BatchWriteItemCommand({ ...this.input, RequestItems }));
    swap(out, 'UnprocessedItems', (u: Record<string, WriteRequest[]>) => mapValues(u, (rs) => rs.map(writeOut)));
    return out as BatchWriteCommandOutput;
  }
}

type Keyed<T> = Omit<T, 'Key' | 'ExpressionAttributeValues'> & WithValues & { Key: Native | undefined };
interface NativeTransactWriteItem {
  ConditionCheck?: Keyed<ConditionCheck> | undefined;
  Put?: (Omit<Put, 'Item' | 'ExpressionAttributeValues'> & WithValues & { Item: Native | undefined }) | undefined;
  Delete?: Keyed<Delete> | undefined;
  Update?: Keyed<Update> | undefined;
}
type TransactWriteItem = NonNullable<TransactWriteItemsCommandInput['TransactItems']>[number];
const keyed = <T extends { Key: Native | undefined } & WithValues>(op: T) => ({
  ...op,
  Key: opt(op.Key),
  ExpressionAttributeValues: opt(op.ExpressionAttributeValues),
});
const transactIn = ({ ConditionCheck, Put, Delete, Update }: NativeTransactWriteItem): TransactWriteItem => ({
  ...(ConditionCheck && { ConditionCheck: keyed(ConditionCheck) }),
  ...(Put && { Put: { ...Put, Item: opt(Put.Item), ExpressionAttributeValues: opt(Put.ExpressionAttributeValues) } }),
  ...(Delete && { Delete: keyed(Delete) }),
  ...(Update && { Update: keyed(Update) }),
});

export type TransactWriteCommandInput = Omit<TransactWriteItemsCommandInput, 'TransactItems'> & {
  TransactItems: NativeTransactWriteItem[] | undefined;
};
export type TransactWriteCommandOutput = TransactWriteItemsCommandOutput;
export class TransactWriteCommand extends DocCommand<TransactWriteCommandInput, TransactWriteCommandOutput> {
  run(client: DynamoDBClient): Promise<TransactWriteCommandOutput> {
    return client.send(new TransactWriteItemsCommand({ ...this.input, TransactItems: this.input.TransactItems?.map(transactIn) }));
  }
}

// ─────────────────────────────── the client ───────────────────────────────

/** the Item a failed conditional write returns (ReturnValuesOnConditionCheckFailure), unmarshalled in place */
const liftError = (err: unknown): unknown => {
  if (!(err instanceof Error)) return err;
  const e = err as Error & { Item?: Attrs | Native; CancellationReasons?: { Item?: Attrs | Native }[] };
  try {
    if (e.name === 'ConditionalCheckFailedException' && e.Item) e.Item = fromAttrs(e.Item as Attrs);
    if (e.name === 'TransactionCanceledException')
      for (const r of e.CancellationReasons ?? []) if (r.Item) r.Item = fromAttrs(r.Item as Attrs);
  } catch {
    // an Item that does not convert leaves the error as DynamoDB gave it: never replaced by ours
  }
  return err;
};

/**
 * The document client: `send(command)` marshals the command's native input, sends the low-level
 * command on `client` and returns the output with native values.
 */
export class DocumentClient {
  constructor(readonly client: DynamoDBClient) {}

  async send<Output extends object>(command: DocCommand<object, Output>): Promise<Output> {
    try {
      return await command.run(this.client);
    } catch (err) {
      throw liftError(err);
    }
  }
}

// ─────────────────────────────── paginators ───────────────────────────────

interface PaginationConfig {
  client: DocumentClient;
  /** the Limit of each page, unless the input sets one */
  pageSize?: number;
}

async function* paginate<
  I extends { ExclusiveStartKey?: Native | undefined; Limit?: number | undefined },
  O extends { LastEvaluatedKey?: Native | undefined },
>({ client, pageSize }: PaginationConfig, input: I, command: new (input: I) => DocCommand<I, O>): AsyncGenerator<O, undefined, unknown> {
  let key = input.ExclusiveStartKey;
  do {
    const page = await client.send(new command({ ...input, ExclusiveStartKey: key, Limit: input.Limit ?? pageSize }));
    yield page;
    key = page.LastEvaluatedKey;
  } while (key);
  return undefined;
}

/** every page of a Query, following LastEvaluatedKey */
export const paginateQuery = (config: PaginationConfig, input: QueryCommandInput): AsyncGenerator<QueryCommandOutput, undefined, unknown> =>
  paginate(config, input, QueryCommand);

/** every page of a Scan, following LastEvaluatedKey */
export const paginateScan = (config: PaginationConfig, input: ScanCommandInput): AsyncGenerator<ScanCommandOutput, undefined, unknown> =>
  paginate(config, input, ScanCommand);
