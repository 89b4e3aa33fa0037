/**
 * The document layer (shared/store/doc.ts) against the lane's DynamoDB Local: every native type
 * round-trips as lib-dynamodb with `removeUndefinedValues` wrote and read it, every command's output
 * comes back unmarshalled, a failed condition is an answer (`conditionalSend` → undefined) whose
 * returned item is native, and a cancelled transaction carries its reasons.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  paginateScan,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '../../shared/store/doc.ts';
import { conditionalSend, conditionalWrite, isConditionalFailure } from '../../shared/store/dynamo.ts';

const TableName = `doc-${randomUUID().slice(0, 8)}`;
const client = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'ap-northeast-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  cacheMiddleware: true,
});
const doc = new DocumentClient(client);

beforeAll(async () => {
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
});

afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName }));
  client.destroy();
});

const key = (pk: string, sk = 'A') => ({ pk, sk });

describe('round trip', () => {
  it('every native type is written and read back as it was; undefined is dropped from maps and lists', async () => {
    const bytes = new Uint8Array([0, 1, 2, 254, 255]);
    const item = {
      ...key('TYPES'),
      text: '充电桩 FX0001',
      empty: '',
      int: 42,
      decimal: 12.34,
      negative: -0.5,
      zero: 0,
      big: Number.MAX_SAFE_INTEGER,
      yes: true,
      no: false,
      nothing: null,
      gone: undefined,
      nested: { a: { b: [1, 'two', { c: null, d: undefined }] }, e: [] as unknown[], f: {} },
      list: [1, undefined, 'x', [true, undefined]],
      names: new Set(['a', 'b']),
      numbers: new Set([1, 2.5, -3]),
      bytes,
    };
    await doc.send(new PutCommand({ TableName, Item: item }));
    const got = (await doc.send(new GetCommand({ TableName, Key: key('TYPES'), ConsistentRead: true }))).Item;
    const { gone: _, ...expected } = item;
    expect(got).toEqual({
      ...expected,
      nested: { a: { b: [1, 'two', { c: null }] }, e: [], f: {} },
      list: [1, 'x', [true]],
    });
    expect(got).not.toHaveProperty('gone');
    expect(got?.names).toBeInstanceOf(Set);
    expect(got?.numbers).toEqual(new Set([1, 2.5, -3]));
    expect(got?.bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(got?.bytes as Uint8Array)).toEqual(Array.from(bytes));
    expect(typeof got?.decimal).toBe('number');
  });

  it('a class instance is refused, not written as a map (convertClassInstanceToMap false)', async () => {
    class Point {
      x = 1;
    }
    await expect(doc.send(new PutCommand({ TableName, Item: { ...key('CLASS'), at: new Point() } }))).rejects.toThrow();
    expect((await doc.send(new GetCommand({ TableName, Key: key('CLASS'), ConsistentRead: true }))).Item).toBeUndefined();
  });

  it('a Get of no item has no Item', async () => {
    const out = await doc.send(new GetCommand({ TableName, Key: key('NONE') }));
    expect(out).not.toHaveProperty('Item');
  });
});

describe('each command, its output unmarshalled', () => {
  it('Put, Update, Delete return their Attributes natively; expression values are marshalled', async () => {
    await doc.send(new PutCommand({ TableName, Item: { ...key('ONE'), n: 1, tags: new Set(['a']) } }));
    const put = await doc.send(new PutCommand({ TableName, Item: { ...key('ONE'), n: 2, tags: new Set(['b']) }, ReturnValues: 'ALL_OLD' }));
    expect(put.Attributes).toEqual({ ...key('ONE'), n: 1, tags: new Set(['a']) });
    const updated = await doc.send(
      new UpdateCommand({
        TableName,
        Key: key('ONE'),
        UpdateExpression: 'SET n = n + :d, m = :m ADD tags :t',
        ConditionExpression: 'n = :n',
        ExpressionAttributeValues: { ':d': 0.25, ':m': { deep: [null, false] }, ':t': new Set(['c']), ':n': 2 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(updated.Attributes).toEqual({ ...key('ONE'), n: 2.25, m: { deep: [null, false] }, tags: new Set(['b', 'c']) });
    const deleted = await doc.send(new DeleteCommand({ TableName, Key: key('ONE'), ReturnValues: 'ALL_OLD' }));
    expect(deleted.Attributes).toMatchObject({ n: 2.25 });
    expect((await doc.send(new GetCommand({ TableName, Key: key('ONE'), ConsistentRead: true }))).Item).toBeUndefined();
  });

  it('Query and Scan return Items and LastEvaluatedKey natively, ExclusiveStartKey continues, the paginators follow it', async () => {
    const sks = ['01', '02', '03', '04', '05'];
    await doc.send(
      new BatchWriteCommand({
        RequestItems: { [TableName]: sks.map((sk) => ({ PutRequest: { Item: { pk: 'Q', sk, v: Number(sk) / 10 } } })) },
      }),
    );
    const query = { TableName, KeyConditionExpression: 'pk = :p AND sk >= :s', ExpressionAttributeValues: { ':p': 'Q', ':s': '02' } };
    const first = await doc.send(new QueryCommand({ ...query, Limit: 2 }));
    expect(first.Items).toEqual([
      { pk: 'Q', sk: '02', v: 0.2 },
      { pk: 'Q', sk: '03', v: 0.3 },
    ]);
    expect(first.LastEvaluatedKey).toEqual({ pk: 'Q', sk: '03' });
    const next = await doc.send(new QueryCommand({ ...query, Limit: 2, ExclusiveStartKey: first.LastEvaluatedKey }));
    expect(next.Items?.map((i) => i.sk)).toEqual(['04', '05']);
    const pages: string[][] = [];
    for await (const page of paginateQuery({ client: doc, pageSize: 3 }, query)) pages.push((page.Items ?? []).map((i) => String(i.sk)));
    expect(pages.flat()).toEqual(['02', '03', '04', '05']);
    expect(pages[0]).toHaveLength(3);

    const scan = { TableName, FilterExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'Q' }, ConsistentRead: true };
    const scanned: string[] = [];
    let pageCount = 0;
    for await (const page of paginateScan({ client: doc, pageSize: 2 }, scan)) {
      pageCount++;
      scanned.push(...(page.Items ?? []).map((i) => String(i.sk)));
    }
    expect(scanned.sort()).toEqual(sks);
    expect(pageCount).toBeGreaterThan(1);
    const one = await doc.send(new ScanCommand({ ...scan, Limit: 1 }));
    expect(one.LastEvaluatedKey).toEqual(expect.objectContaining({ pk: expect.any(String), sk: expect.any(String) }));
  });

  it('BatchGet returns Responses natively; BatchWrite deletes by native key', async () => {
    await doc.send(
      new BatchWriteCommand({
        RequestItems: {
          [TableName]: [
            { PutRequest: { Item: { ...key('B1'), x: [1, { y: 'z' }] } } },
            { PutRequest: { Item: { ...key('B2'), x: null } } },
          ],
        },
      }),
    );
    const got = await doc.send(
      new BatchGetCommand({ RequestItems: { [TableName]: { Keys: [key('B1'), key('B2'), key('B3')], ConsistentRead: true } } }),
    );
    expect((got.Responses?.[TableName] ?? []).sort((a, b) => String(a.pk).localeCompare(String(b.pk)))).toEqual([
      { ...key('B1'), x: [1, { y: 'z' }] },
      { ...key('B2'), x: null },
    ]);
    expect(got.UnprocessedKeys ?? {}).toEqual({});
    const w = await doc.send(new BatchWriteCommand({ RequestItems: { [TableName]: [{ DeleteRequest: { Key: key('B1') } }] } }));
    expect(w.UnprocessedItems ?? {}).toEqual({});
    expect((await doc.send(new GetCommand({ TableName, Key: key('B1'), ConsistentRead: true }))).Item).toBeUndefined();
  });

  it('TransactWrite applies Put, Update, Delete and ConditionCheck with native keys and values', async () => {
    await doc.send(new PutCommand({ TableName, Item: { ...key('T1'), n: 1 } }));
    await doc.send(new PutCommand({ TableName, Item: { ...key('T2'), gone: true } }));
    await doc.send(new PutCommand({ TableName, Item: { ...key('T3'), guard: 'open' } }));
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName, Key: key('T1'), UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': -7.5 } } },
          { Delete: { TableName, Key: key('T2') } },
          { ConditionCheck: { TableName, Key: key('T3'), ConditionExpression: 'guard = :g', ExpressionAttributeValues: { ':g': 'open' } } },
          { Put: { TableName, Item: { ...key('T4'), s: new Set([1]) }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
    const read = async (pk: string) => (await doc.send(new GetCommand({ TableName, Key: key(pk), ConsistentRead: true }))).Item;
    expect(await read('T1')).toEqual({ ...key('T1'), n: -7.5 });
    expect(await read('T2')).toBeUndefined();
    expect(await read('T4')).toEqual({ ...key('T4'), s: new Set([1]) });
  });
});

describe('conditional writes', () => {
  it('a condition that does not hold: conditionalSend → undefined, conditionalWrite → false, the old item native on the error', async () => {
    await doc.send(new PutCommand({ TableName, Item: { ...key('C'), v: 1, tags: new Set(['x']) } }));
    const update = (expected: number) =>
      new UpdateCommand({
        TableName,
        Key: key('C'),
        UpdateExpression: 'SET v = :next',
        ConditionExpression: 'v = :expected',
        ExpressionAttributeValues: { ':next': expected + 1, ':expected': expected },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ReturnValues: 'ALL_NEW',
      });
    expect(await conditionalSend(doc, update(5))).toBeUndefined();
    expect(await conditionalWrite(doc, update(5))).toBe(false);
    const err = await doc.send(update(5)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isConditionalFailure(err)).toBe(true);
    expect((err as { Item?: unknown }).Item).toEqual({ ...key('C'), v: 1, tags: new Set(['x']) });
    expect((await conditionalSend(doc, update(1)))?.Attributes).toMatchObject({ v: 2 });
  });

  it('a cancelled transaction carries its reasons, the failed item native; conditionalSend → undefined', async () => {
    await doc.send(new PutCommand({ TableName, Item: { ...key('X1'), state: 'taken', by: { who: 'p1' } } }));
    const tx = new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName,
            Item: { ...key('X1'), state: 'mine' },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        { Put: { TableName, Item: { ...key('X2'), state: 'mine' } } },
      ],
    });
    const err = await doc.send(tx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).name).toBe('TransactionCanceledException');
    const reasons = (err as { CancellationReasons?: { Code?: string; Item?: unknown }[] }).CancellationReasons;
    expect(reasons?.map((r) => r.Code)).toEqual(['ConditionalCheckFailed', 'None']);
    expect(reasons?.[0]?.Item).toEqual({ ...key('X1'), state: 'taken', by: { who: 'p1' } });
    expect(await conditionalSend(doc, tx)).toBeUndefined();
    expect((await doc.send(new GetCommand({ TableName, Key: key('X2'), ConsistentRead: true }))).Item).toBeUndefined();
  });
});
