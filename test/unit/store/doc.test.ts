/**
 * The document layer's conversions DynamoDB Local does not produce on demand (shared/store/doc.ts):
 * the keys and items a batch left unprocessed come back native, ready to be sent again, and what
 * goes to the low-level client is exactly the marshalled request.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect, it } from 'vitest';
import { BatchGetCommand, BatchWriteCommand, DocumentClient } from '../../../shared/store/doc.ts';

/** a low-level client that records what it is sent and answers `output` */
const lowLevel = (output: object) => {
  const sent: { name: string; input: unknown }[] = [];
  const client = {
    send: async (cmd: { constructor: { name: string }; input: unknown }) => {
      sent.push({ name: cmd.constructor.name, input: cmd.input });
      return output;
    },
  };
  return { doc: new DocumentClient(client as unknown as DynamoDBClient), sent };
};

it('BatchGet: the request marshalled, the unprocessed keys native', async () => {
  const { doc, sent } = lowLevel({
    Responses: { t: [{ pk: { S: 'A' }, n: { N: '1.5' } }] },
    UnprocessedKeys: { t: { Keys: [{ pk: { S: 'B' } }], ConsistentRead: true } },
  });
  const out = await doc.send(new BatchGetCommand({ RequestItems: { t: { Keys: [{ pk: 'A' }, { pk: 'B' }], ConsistentRead: true } } }));
  expect(sent).toEqual([
    {
      name: 'BatchGetItemCommand',
      input: { RequestItems: { t: { Keys: [{ pk: { S: 'A' } }, { pk: { S: 'B' } }], ConsistentRead: true } } },
    },
  ]);
  expect(out.Responses).toEqual({ t: [{ pk: 'A', n: 1.5 }] });
  expect(out.UnprocessedKeys).toEqual({ t: { Keys: [{ pk: 'B' }], ConsistentRead: true } });
});

it('BatchWrite: the request marshalled, undefined dropped; the unprocessed puts and deletes native', async () => {
  const { doc, sent } = lowLevel({
    UnprocessedItems: {
      t: [{ PutRequest: { Item: { pk: { S: 'A' }, l: { L: [{ BOOL: true }] } } } }, { DeleteRequest: { Key: { pk: { S: 'C' } } } }],
    },
  });
  const out = await doc.send(
    new BatchWriteCommand({
      RequestItems: {
        t: [{ PutRequest: { Item: { pk: 'A', l: [true, undefined], gone: undefined } } }, { DeleteRequest: { Key: { pk: 'C' } } }],
      },
    }),
  );
  expect(sent[0]?.input).toEqual({
    RequestItems: {
      t: [{ PutRequest: { Item: { pk: { S: 'A' }, l: { L: [{ BOOL: true }] } } } }, { DeleteRequest: { Key: { pk: { S: 'C' } } } }],
    },
  });
  expect(out.UnprocessedItems).toEqual({ t: [{ PutRequest: { Item: { pk: 'A', l: [true] } } }, { DeleteRequest: { Key: { pk: 'C' } } }] });
});

it('an output without the converted members gains none', async () => {
  const { doc } = lowLevel({ $metadata: {} });
  const out = await doc.send(new BatchGetCommand({ RequestItems: { t: { Keys: [{ pk: 'A' }] } } }));
  expect(Object.keys(out)).toEqual(['$metadata']);
});
