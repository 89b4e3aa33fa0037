/**
 * The local cloud engine (infra/local) against the real AWS SDK v3 clients and a real
 * DynamoDB Local, with a fixture topology: tables, the API Gateway shape, the bus, SQS
 * semantics, pollers with partial batch failures, Secrets Manager.
 */

import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../infra/local/cloud.ts';
import { md5OfMessageAttributes } from '../../infra/local/queue-store.ts';
import { calls, resetCalls } from '../fixtures/handlers/recorder.ts';
import { fixtureTopology } from '../fixtures/local-topology.ts';
import { eventually } from '../support/eventually.ts';

let cloud: LocalCloud;
const logs: string[] = [];
beforeAll(async () => {
  cloud = await startLocalCloud({
    topology: fixtureTopology,
    port: 0,
    schedules: false,
    retryDelayMs: 10,
    env: { OPERATOR_ID: 'MA5GS8X01' },
    onLog: (l) => logs.push(l),
  });
});
afterAll(async () => cloud?.stop());
beforeEach(() => resetCalls());

const sqs = () => new SQSClient({});

describe('environment', () => {
  it('points the SDK at the loopback servers and names every table and queue', () => {
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(cloud.dynamoEndpoint);
    expect(process.env.AWS_ENDPOINT_URL_SQS).toBe(cloud.awsEndpoint);
    expect(process.env.AWS_ENDPOINT_URL_EVENTBRIDGE).toBe(cloud.awsEndpoint);
    expect(process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER).toBe(cloud.awsEndpoint);
    expect(process.env.TABLE_ITEMS).toBe('evcs-items');
    expect(process.env.QUEUE_URL_WORK).toBe(`${cloud.awsEndpoint}/queue/evcs-work`);
    expect(cloud.env.OPERATOR_ID).toBe('MA5GS8X01');
    expect(process.env.POWERTOOLS_METRICS_DISABLED).toBe('true');
  });
});

describe('DynamoDB Local tables', () => {
  it('creates keys, a GSI with ALL projection, on-demand billing and TTL', async () => {
    const ddb = new DynamoDBClient({});
    const t = (await ddb.send(new DescribeTableCommand({ TableName: 'evcs-items' }))).Table!;
    expect(t.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(t.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const gsi = t.GlobalSecondaryIndexes?.find((i) => i.IndexName === 'byStatus');
    expect(gsi?.Projection?.ProjectionType).toBe('ALL');
    expect(gsi?.KeySchema).toEqual([
      { AttributeName: 'status', KeyType: 'HASH' },
      { AttributeName: 'updatedAt', KeyType: 'RANGE' },
    ]);
    expect(t.AttributeDefinitions).toContainEqual({ AttributeName: 'updatedAt', AttributeType: 'N' });
    const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'evcs-items' }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
    const plain = (await ddb.send(new DescribeTableCommand({ TableName: 'evcs-plain' }))).Table!;
    expect(plain.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
  });
});

describe('HTTP API (API Gateway HTTP API, payload 2.0)', () => {
  it('builds the v2 event and maps a structured response', async () => {
    const res = await fetch(`${cloud.apiUrl}/test/echo?b=2&a=1&a=3`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Custom': 'Value', Cookie: 'c1=v1; c2=v2' },
      body: '{"hello":"世界"}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(await res.json()).toEqual({ got: '{"hello":"世界"}' });
    const [call] = calls<{ event: APIGatewayProxyEventV2; functionName: string; remaining: number }>('echo');
    const e = call!.event;
    expect(e.version).toBe('2.0');
    expect(e.routeKey).toBe('POST /test/echo');
    expect(e.rawPath).toBe('/test/echo');
    expect(e.rawQueryString).toBe('b=2&a=1&a=3');
    expect(e.queryStringParameters).toEqual({ a: '1,3', b: '2' });
    expect(e.headers['x-custom']).toBe('Value');
    expect(e.headers['content-type']).toBe('application/json');
    expect(e.cookies).toEqual(['c1=v1', 'c2=v2']);
    expect(e.body).toBe('{"hello":"世界"}');
    expect(e.isBase64Encoded).toBe(false);
    expect(e.requestContext.http.method).toBe('POST');
    expect(e.requestContext.http.path).toBe('/test/echo');
    expect(e.requestContext.http.sourceIp).toBe('127.0.0.1');
    expect(e.requestContext.stage).toBe('$default');
    expect(e.requestContext.apiId).toBe('local');
    expect(e.requestContext.routeKey).toBe('POST /test/echo');
    expect(e.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof e.requestContext.timeEpoch).toBe('number');
    expect(call!.functionName).toBe('evcs-echo-http');
    expect(call!.remaining).toBeGreaterThan(25_000); // L1: 30 s
  });

  it('a plain object result → 200 application/json', async () => {
    const res = await fetch(`${cloud.apiUrl}/test/plain`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ hello: 'world' });
  });

  it('unknown route or wrong method → 404 {"message":"Not Found"}', async () => {
    for (const [method, path] of [
      ['POST', '/nope'],
      ['GET', '/test/echo'],
    ] as const) {
      const res = await fetch(`${cloud.apiUrl}${path}`, { method });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ message: 'Not Found' });
    }
  });

  it('a throwing handler → 500 {"message":"Internal Server Error"}', async () => {
    const res = await fetch(`${cloud.apiUrl}/test/boom`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('a handler past its timeout is cut off like a Lambda timeout → 500', async () => {
    const res = await fetch(`${cloud.apiUrl}/test/slow`);
    expect(res.status).toBe(500);
    expect(logs.some((l) => l.includes('slow-http') && l.includes('Task timed out after 1.00 seconds'))).toBe(true);
  });

  it('a body over 10 MB → 413', async () => {
    const res = await fetch(`${cloud.apiUrl}/test/echo`, { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1, 97) });
    expect(res.status).toBe(413);
    expect(calls('echo')).toHaveLength(0);
  });
});

describe('EventBridge PutEvents → rules', () => {
  it('routes by pattern to a function (EventBridge envelope) and to a queue (body = event JSON)', async () => {
    const eb = new EventBridgeClient({});
    const res = await eb.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'test.orders', DetailType: 'OrderStarted', Detail: JSON.stringify({ amount: 5 }), EventBusName: 'evcs' },
          { Source: 'test.orders', DetailType: 'OrderStarted', Detail: JSON.stringify({ amount: 0 }), EventBusName: 'evcs' }, // numeric > 0 fails
          { Source: 'test.orders', DetailType: 'OrderEnded', Detail: JSON.stringify({ seq: 'S1' }), EventBusName: 'evcs' },
          { Source: 'test.other', DetailType: 'OrderStarted', Detail: JSON.stringify({ amount: 9 }), EventBusName: 'evcs' },
        ],
      }),
    );
    expect(res.FailedEntryCount).toBe(0);
    expect(res.Entries).toHaveLength(4);
    expect(res.Entries!.every((e) => typeof e.EventId === 'string')).toBe(true);
    await cloud.drain();

    const got = calls<Record<string, unknown>>('on-event');
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      version: '0',
      id: res.Entries![0]!.EventId,
      'detail-type': 'OrderStarted',
      source: 'test.orders',
      account: '000000000000',
      region: 'ap-northeast-1',
      resources: [],
      detail: { amount: 5 },
    });
    expect(String(got[0]!.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const work = calls<SQSEvent>('work');
    expect(work).toHaveLength(1);
    const rec = work[0]!.Records[0]!;
    expect(JSON.parse(rec.body)).toMatchObject({ id: res.Entries![2]!.EventId, 'detail-type': 'OrderEnded', detail: { seq: 'S1' } });
    expect(rec.eventSource).toBe('aws:sqs');
    expect(rec.eventSourceARN).toBe('arn:aws:sqs:ap-northeast-1:000000000000:evcs-work');
    expect(rec.attributes.ApproximateReceiveCount).toBe('1');
    expect(cloud.queues.depth('work')).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('rejects malformed entries per entry, as EventBridge does', async () => {
    const eb = new EventBridgeClient({});
    const res = await eb.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'test.orders', DetailType: 'X', Detail: 'not json' },
          { Source: 'test.orders', DetailType: 'X', Detail: '{}', EventBusName: 'no-such-bus' },
          { Source: 'test.orders', DetailType: 'X', Detail: '{}' },
        ],
      }),
    );
    expect(res.FailedEntryCount).toBe(2);
    expect(res.Entries![0]!.ErrorCode).toBe('MalformedDetail');
    expect(res.Entries![1]!.ErrorCode).toBe('ResourceNotFoundException');
    expect(res.Entries![2]!.EventId).toBeTruthy();
  });

  it('a failing function target is retried (tier budget) then lands in its failure DLQ; redrive re-invokes', async () => {
    cloud.bus.clearFailures();
    await cloud.bus.put([{ source: 'test.flaky', detailType: 'Boom', detail: { n: 1 } }]);
    await cloud.drain();
    expect(calls('flaky')).toHaveLength(2); // L3: 1 retry
    const f = cloud.bus.failures('flaky');
    expect(f).toHaveLength(1);
    expect(f[0]!.error).toContain('always fails');
    expect((f[0]!.event as { detail: unknown }).detail).toEqual({ n: 1 });

    expect(cloud.bus.redriveFailures('flaky')).toBe(1);
    await cloud.drain();
    expect(calls('flaky')).toHaveLength(4);
    expect(cloud.bus.failures('flaky')).toHaveLength(1);
  });
});

describe('SQS through the real SQS client', () => {
  const url = () => cloud.queues.url('manual');
  beforeEach(async () => {
    await sqs().send(new PurgeQueueCommand({ QueueUrl: url() }));
    cloud.queues.purge(cloud.queues.dlqOf('manual'));
  });

  it('send/receive pass the SDK MD5 checks, message attributes included', async () => {
    const attrs = { Kind: { DataType: 'String', StringValue: 'status' }, N: { DataType: 'Number', StringValue: '42' } };
    const sent = await sqs().send(new SendMessageCommand({ QueueUrl: url(), MessageBody: '你好 body', MessageAttributes: attrs }));
    expect(sent.MD5OfMessageAttributes).toBe(md5OfMessageAttributes(attrs));
    const r = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: url(),
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    expect(r.Messages).toHaveLength(1);
    const m = r.Messages![0]!;
    expect(m.MessageId).toBe(sent.MessageId);
    expect(m.Body).toBe('你好 body');
    expect(m.MessageAttributes?.Kind?.StringValue).toBe('status');
    expect(m.Attributes?.ApproximateReceiveCount).toBe('1');
    await sqs().send(new DeleteMessageCommand({ QueueUrl: url(), ReceiptHandle: m.ReceiptHandle! }));
    expect(cloud.queues.depth('manual')).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('visibility timeout: invisible while in flight, redelivered with ApproximateReceiveCount 2', async () => {
    await sqs().send(new SendMessageCommand({ QueueUrl: url(), MessageBody: 'again' }));
    const first = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl: url(), MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    expect(first.Messages).toHaveLength(1);
    const hidden = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url() }));
    expect(hidden.Messages ?? []).toHaveLength(0);
    const attrs = await sqs().send(
      new GetQueueAttributesCommand({
        QueueUrl: url(),
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attrs.Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    // long poll: the message comes back once its 1 s visibility timeout ends
    const second = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl: url(), WaitTimeSeconds: 3, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    expect(second.Messages?.[0]?.MessageId).toBe(first.Messages![0]!.MessageId);
    expect(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('ChangeMessageVisibility 0 makes a message visible at once', async () => {
    await sqs().send(new SendMessageCommand({ QueueUrl: url(), MessageBody: 'release' }));
    const m = (await sqs().send(new ReceiveMessageCommand({ QueueUrl: url() }))).Messages![0]!;
    await sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: url(), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
    const again = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url() }));
    expect(again.Messages?.[0]?.MessageId).toBe(m.MessageId);
  });

  it('after maxReceiveCount receives the message moves to the DLQ; redrive brings it back', async () => {
    await sqs().send(new SendMessageCommand({ QueueUrl: url(), MessageBody: 'poison' }));
    for (let i = 0; i < 2; i++) {
      const r = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url(), WaitTimeSeconds: 3 }));
      expect(r.Messages).toHaveLength(1);
    }
    // the second receive's 1 s visibility timeout ends: the message is visible again (and the next receive is its third)
    await eventually(async () => cloud.queues.depth('manual').visible, { what: 'the message visible again' });
    const third = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url() }));
    expect(third.Messages ?? []).toHaveLength(0);
    const dlq = cloud.queues.peek(cloud.queues.dlqOf('manual'));
    expect(dlq.map((m) => m.body)).toEqual(['poison']);
    expect(dlq[0]!.deadLetterSourceQueue).toBe('arn:aws:sqs:ap-northeast-1:000000000000:evcs-manual');

    expect(cloud.queues.redrive('manual')).toBe(1);
    expect(cloud.queues.peek(cloud.queues.dlqOf('manual'))).toHaveLength(0);
    const back = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url(), MessageSystemAttributeNames: ['All'] }));
    expect(back.Messages?.[0]?.Body).toBe('poison');
    expect(back.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
  });

  it('DelaySeconds hides a message until the delay has passed', async () => {
    await sqs().send(new SendMessageCommand({ QueueUrl: url(), MessageBody: 'later', DelaySeconds: 1 }));
    expect(cloud.queues.depth('manual')).toMatchObject({ visible: 0, delayed: 1 });
    expect((await sqs().send(new ReceiveMessageCommand({ QueueUrl: url() }))).Messages ?? []).toHaveLength(0);
    const r = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url(), WaitTimeSeconds: 3 }));
    expect(r.Messages?.[0]?.Body).toBe('later');
  });

  it('batch send, ListQueues, and the SDK error for an unknown queue', async () => {
    const b = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: url(),
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', DelaySeconds: 901 },
        ],
      }),
    );
    expect(b.Successful?.map((s) => s.Id)).toEqual(['a']);
    expect(b.Failed?.[0]).toMatchObject({ Id: 'b', Code: 'InvalidParameterValue' });
    const list = await sqs().send(new ListQueuesCommand({ QueueNamePrefix: 'evcs-man' }));
    expect(list.QueueUrls?.sort()).toEqual([`${cloud.awsEndpoint}/queue/evcs-manual`, `${cloud.awsEndpoint}/queue/evcs-manual-dlq`]);
    await expect(
      sqs().send(new SendMessageCommand({ QueueUrl: `${cloud.awsEndpoint}/queue/nope`, MessageBody: 'x' })),
    ).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
    });
  });
});

describe('queue → function pollers', () => {
  it('partial batch failure: only the failed items stay, are retried, then go to the DLQ', async () => {
    const q = sqs();
    await q.send(
      new SendMessageBatchCommand({
        QueueUrl: cloud.queues.url('batch'),
        Entries: [
          { Id: '1', MessageBody: 'ok-1' },
          { Id: '2', MessageBody: 'fail-2' },
          { Id: '3', MessageBody: 'ok-3' },
        ],
      }),
    );
    await cloud.drain();
    const batches = calls<SQSEvent>('batch');
    const deliveries = batches.flatMap((b) => b.Records.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`));
    expect(deliveries.filter((d) => d.startsWith('ok-')).sort()).toEqual(['ok-1#1', 'ok-3#1']);
    expect(deliveries.filter((d) => d.startsWith('fail-'))).toEqual(['fail-2#1', 'fail-2#2']);
    expect(cloud.queues.peek(cloud.queues.dlqOf('batch')).map((m) => m.body)).toEqual(['fail-2']);
  });

  it('a thrown error leaves the whole batch in the queue', async () => {
    await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: cloud.queues.url('throwing'),
        Entries: [
          { Id: '1', MessageBody: 'fine' },
          { Id: '2', MessageBody: 'throw' },
        ],
      }),
    );
    await cloud.drain();
    const delivered = calls<SQSEvent>('thrower').flatMap((b) => b.Records.map((r) => r.body));
    expect(delivered.filter((b) => b === 'fine')).toHaveLength(2);
    expect(delivered.filter((b) => b === 'throw')).toHaveLength(2);
    expect(
      cloud.queues
        .peek(cloud.queues.dlqOf('throwing'))
        .map((m) => m.body)
        .sort(),
    ).toEqual(['fine', 'throw']);
  });
});

describe('scheduler', () => {
  it('fires a schedule with the Scheduler event shape', async () => {
    expect(cloud.scheduler.schedules()).toEqual([{ name: 'tick-schedule-0', functionId: 'tick', expression: 'rate(5 minutes)' }]);
    cloud.scheduler.fire('tick');
    await cloud.drain();
    const [e] = calls<Record<string, unknown>>('tick');
    expect(e).toMatchObject({ source: 'aws.scheduler', 'detail-type': 'Scheduled Event', detail: {} });
  });
});

describe('Secrets Manager through the real client', () => {
  it('create, get, put (new version), describe, list by prefix', async () => {
    const sm = new SecretsManagerClient({});
    const created = await sm.send(new CreateSecretCommand({ Name: 'evcs/partners/P1', SecretString: '{"v":1}', Description: 'p1' }));
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:ap-northeast-1:000000000000:secret:evcs\/partners\/P1-/);
    await sm.send(new CreateSecretCommand({ Name: 'other/x', SecretString: 'x' }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'evcs/partners/P1' }))).SecretString).toBe('{"v":1}');
    const put = await sm.send(new PutSecretValueCommand({ SecretId: 'evcs/partners/P1', SecretString: '{"v":2}' }));
    const cur = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN! }));
    expect(cur.SecretString).toBe('{"v":2}');
    expect(cur.VersionId).toBe(put.VersionId);
    const prev = await sm.send(new GetSecretValueCommand({ SecretId: 'evcs/partners/P1', VersionStage: 'AWSPREVIOUS' }));
    expect(prev.SecretString).toBe('{"v":1}');
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'evcs/partners/P1' }));
    expect(d.Description).toBe('p1');
    expect(d.CreatedDate).toBeInstanceOf(Date);
    const list = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['evcs/'] }] }));
    expect(list.SecretList?.map((s) => s.Name)).toEqual(['evcs/partners/P1']);
  });

  it('a missing secret → ResourceNotFoundException; a duplicate create → ResourceExistsException', async () => {
    const sm = new SecretsManagerClient({});
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'evcs/none' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'evcs/none', SecretString: 'x' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await sm.send(new CreateSecretCommand({ Name: 'evcs/dup', SecretString: 'x' }));
    await expect(sm.send(new CreateSecretCommand({ Name: 'evcs/dup', SecretString: 'y' }))).rejects.toBeInstanceOf(ResourceExistsException);
  });
});
