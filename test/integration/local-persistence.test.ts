/**
 * The local cloud with a data dir: DynamoDB data, queue messages (receive counts, DLQs),
 * secrets and function failure DLQs survive stop/start; `fresh` wipes them; java is stopped.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../infra/local/cloud.ts';
import { fixtureTopology } from '../fixtures/local-topology.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'evcs-local-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const start = (fresh = false): Promise<LocalCloud> =>
  startLocalCloud({ topology: fixtureTopology, port: 0, dataDir, fresh, schedules: false, retryDelayMs: 5 });

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('persistence across stop/start with a data dir', () => {
  it('keeps table items, queue messages, DLQs, secrets and failure DLQs; fresh wipes them', async () => {
    let cloud = await start(true);
    try {
      await new DynamoDBClient({}).send(new PutItemCommand({ TableName: 'evcs-plain', Item: { id: { S: 'kept' }, n: { N: '7' } } }));
      const sqs = new SQSClient({});
      const url = cloud.queues.url('manual');
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: 'visible-1',
          MessageAttributes: { K: { DataType: 'String', StringValue: 'v' } },
        }),
      );
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'received-once' }));
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'delayed', DelaySeconds: 900 }));
      // receive 'visible-1' and 'received-once' once; the consumer "dies" (no delete)
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      expect(got.Messages).toHaveLength(2);
      cloud.queues.send(cloud.queues.dlqOf('manual'), 'dead-letter');
      await new SecretsManagerClient({}).send(new CreateSecretCommand({ Name: 'evcs/partners/KEEP', SecretString: '{"k":"secret"}' }));
      await cloud.bus.put([{ source: 'test.flaky', detailType: 'Boom', detail: { keep: true } }]);
      await cloud.drain();
      expect(cloud.bus.failures('flaky')).toHaveLength(1);
    } finally {
      await cloud.stop();
    }

    expect(existsSync(join(dataDir, 'queues.json'))).toBe(true);
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, 'queues.json'), 'utf8')).not.toContain('receiptHandle');

    cloud = await start();
    try {
      const item = await new DynamoDBClient({}).send(new GetItemCommand({ TableName: 'evcs-plain', Key: { id: { S: 'kept' } } }));
      expect(item.Item?.n?.N).toBe('7');
      // in-flight messages of the dead consumer are visible again, receive counts kept
      expect(cloud.queues.depth('manual')).toEqual({ queue: 'evcs-manual', visible: 2, inFlight: 0, delayed: 1 });
      const sqs = new SQSClient({});
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: cloud.queues.url('manual'),
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const byBody = Object.fromEntries((r.Messages ?? []).map((m) => [m.Body, m]));
      expect(Object.keys(byBody).sort()).toEqual(['received-once', 'visible-1']);
      expect(byBody['received-once']!.Attributes?.ApproximateReceiveCount).toBe('2');
      expect(byBody['visible-1']!.MessageAttributes?.K?.StringValue).toBe('v');
      expect(cloud.queues.peek(cloud.queues.dlqOf('manual')).map((m) => m.body)).toEqual(['dead-letter']);
      const s = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: 'evcs/partners/KEEP' }));
      expect(s.SecretString).toBe('{"k":"secret"}');
      expect(cloud.bus.failures('flaky').map((f) => (f.event as { detail: unknown }).detail)).toEqual([{ keep: true }]);
    } finally {
      await cloud.stop();
    }

    cloud = await start(true);
    let javaPid: number | undefined;
    try {
      const item = await new DynamoDBClient({}).send(new GetItemCommand({ TableName: 'evcs-plain', Key: { id: { S: 'kept' } } }));
      expect(item.Item).toBeUndefined();
      expect(cloud.queues.depth('manual')).toMatchObject({ visible: 0, delayed: 0 });
      expect(cloud.bus.failures()).toHaveLength(0);
      const port = Number(new URL(cloud.dynamoEndpoint).port);
      javaPid = Number(
        (await import('node:child_process'))
          .execFileSync('sh', ['-c', `ss -ltnp 'sport = :${port}' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2`])
          .toString()
          .trim(),
      );
    } finally {
      await cloud.stop();
    }
    if (javaPid) expect(alive(javaPid)).toBe(false);
    // after stop the SDK endpoints are gone from process.env again
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBeUndefined();
  });
});
