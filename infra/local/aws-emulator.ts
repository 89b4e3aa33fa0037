/**
 * One loopback HTTP server speaking the AWS JSON protocols the real SDK v3 clients use, by the
 * X-Amz-Target header — so handlers run unchanged, with AWS_ENDPOINT_URL_<SERVICE> pointing here:
 *
 *   - EventBridge (awsJson1_1)     AWSEvents.PutEvents → the local bus
 *   - SQS (awsJson1_0)             AmazonSQS.SendMessage[Batch], ReceiveMessage, DeleteMessage[Batch],
 *                                  ChangeMessageVisibility, GetQueueAttributes, GetQueueUrl, PurgeQueue, ListQueues
 *   - Secrets Manager (awsJson1_1) secretsmanager.GetSecretValue, PutSecretValue, CreateSecret,
 *                                  DescribeSecret, ListSecrets, UpdateSecret, DeleteSecret
 *   - API Gateway Management API (restJson1) PostToConnection `POST …/@connections/{id}` → the local
 *                                  WebSocket API (410 GoneException for a closed connection)
 *
 * Errors use AWS's JSON error shape (`__type`, `message`, HTTP 400) so the SDK throws the
 * modelled exception (ResourceNotFoundException, QueueDoesNotExist, …).
 * Requests are not signature-checked (loopback only).
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import type { LocalBus } from './bus.ts';
import { closeServer, listen } from './ports.ts';
import { type MessageAttribute, md5OfMessageAttributes, QueueError, type QueueStore, type ReceivedMessage } from './queue-store.ts';
import { type SecretStore, SecretsError, type StoredSecret } from './secrets.ts';

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly queryError?: string,
  ) {
    super(message);
  }
}

const MAX_REQUEST_BYTES = 1024 * 1024;

export interface EmulatorOptions {
  bus: () => LocalBus;
  queues: () => QueueStore;
  secrets: SecretStore;
  /** bus names PutEvents accepts (the configured one, `default`, their ARNs) */
  busName: string;
  /** the local WebSocket API's PostToConnection: false when the connection is gone */
  postToConnection?: (connectionId: string, data: Buffer) => boolean;
  onLog?: (line: string) => void;
}

export interface AwsEmulator {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

type Json = Record<string, unknown>;
type Handler = (input: unknown) => Promise<Json> | Json;

// -- EventBridge ------------------------------------------------------------------------------

const PutEventsSchema = z.object({
  Entries: z
    .array(
      z.object({
        Source: z.string().optional(),
        DetailType: z.string().optional(),
        Detail: z.string().optional(),
        EventBusName: z.string().optional(),
        Time: z.number().optional(),
        Resources: z.array(z.string()).optional(),
        TraceHeader: z.string().optional(),
      }),
    )
    .min(1)
    .max(10),
  EndpointId: z.string().optional(),
});

// -- SQS ----------------------------------------------------------------------------------------

const AttrSchema = z.object({ DataType: z.string(), StringValue: z.string().optional(), BinaryValue: z.string().optional() });
const SendSchema = z.object({
  QueueUrl: z.string(),
  MessageBody: z.string(),
  DelaySeconds: z.number().int().optional(),
  MessageAttributes: z.record(z.string(), AttrSchema).optional(),
  MessageGroupId: z.string().optional(),
  MessageDeduplicationId: z.string().optional(),
});
const SendBatchSchema = z.object({
  QueueUrl: z.string(),
  Entries: z
    .array(
      z.object({
        Id: z.string(),
        MessageBody: z.string(),
        DelaySeconds: z.number().int().optional(),
        MessageAttributes: z.record(z.string(), AttrSchema).optional(),
        MessageGroupId: z.string().optional(),
        MessageDeduplicationId: z.string().optional(),
      }),
    )
    .min(1)
    .max(10),
});
const ReceiveSchema = z.object({
  QueueUrl: z.string(),
  MaxNumberOfMessages: z.number().int().optional(),
  VisibilityTimeout: z.number().int().optional(),
  WaitTimeSeconds: z.number().int().min(0).max(20).optional(),
  AttributeNames: z.array(z.string()).optional(),
  MessageSystemAttributeNames: z.array(z.string()).optional(),
  MessageAttributeNames: z.array(z.string()).optional(),
});
const DeleteSchema = z.object({ QueueUrl: z.string(), ReceiptHandle: z.string() });
const DeleteBatchSchema = z.object({
  QueueUrl: z.string(),
  Entries: z
    .array(z.object({ Id: z.string(), ReceiptHandle: z.string() }))
    .min(1)
    .max(10),
});
const ChangeVisSchema = z.object({ QueueUrl: z.string(), ReceiptHandle: z.string(), VisibilityTimeout: z.number().int() });
const QueueUrlSchema = z.object({ QueueUrl: z.string(), AttributeNames: z.array(z.string()).optional() });
const ListQueuesSchema = z.object({ QueueNamePrefix: z.string().optional() });
const GetQueueUrlSchema = z.object({ QueueName: z.string() });

const selectAttrs = <T>(all: Record<string, T>, names: readonly string[] | undefined): Record<string, T> => {
  if (!names?.length) return {};
  if (names.includes('All') || names.includes('.*')) return all;
  return Object.fromEntries(
    Object.entries(all).filter(([k]) => names.some((n) => n === k || (n.endsWith('.*') && k.startsWith(n.slice(0, -2))))),
  );
};

const sqsMessage = (m: ReceivedMessage, sysNames: readonly string[] | undefined, attrNames: readonly string[] | undefined): Json => {
  const attrs = selectAttrs<MessageAttribute>(m.messageAttributes, attrNames);
  const md5Attrs = md5OfMessageAttributes(attrs);
  return {
    MessageId: m.messageId,
    ReceiptHandle: m.receiptHandle,
    MD5OfBody: m.md5OfBody,
    Body: m.body,
    ...(Object.keys(selectAttrs(m.attributes, sysNames)).length ? { Attributes: selectAttrs(m.attributes, sysNames) } : {}),
    ...(md5Attrs ? { MD5OfMessageAttributes: md5Attrs, MessageAttributes: attrs } : {}),
  };
};

// -- Secrets Manager -----------------------------------------------------------------------------

const GetSecretSchema = z.object({ SecretId: z.string(), VersionId: z.string().optional(), VersionStage: z.string().optional() });
const PutSecretSchema = z.object({
  SecretId: z.string(),
  SecretString: z.string().optional(),
  SecretBinary: z.string().optional(),
  ClientRequestToken: z.string().optional(),
});
const CreateSecretSchema = z.object({
  Name: z.string(),
  SecretString: z.string().optional(),
  SecretBinary: z.string().optional(),
  Description: z.string().optional(),
  ClientRequestToken: z.string().optional(),
});
const DescribeSecretSchema = z.object({ SecretId: z.string() });
const UpdateSecretSchema = z.object({
  SecretId: z.string(),
  SecretString: z.string().optional(),
  Description: z.string().optional(),
  ClientRequestToken: z.string().optional(),
});
const DeleteSecretSchema = z.object({
  SecretId: z.string(),
  ForceDeleteWithoutRecovery: z.boolean().optional(),
  RecoveryWindowInDays: z.number().optional(),
});
const ListSecretsSchema = z.object({
  Filters: z.array(z.object({ Key: z.string(), Values: z.array(z.string()) })).optional(),
  MaxResults: z.number().int().optional(),
  NextToken: z.string().optional(),
});

const epoch = (ms: number): number => ms / 1000;
const stages = (s: StoredSecret): Record<string, string[]> => ({
  [s.current.versionId]: ['AWSCURRENT'],
  ...(s.previous ? { [s.previous.versionId]: ['AWSPREVIOUS'] } : {}),
});
const describe = (s: StoredSecret): Json => ({
  ARN: s.arn,
  Name: s.name,
  ...(s.description !== undefined ? { Description: s.description } : {}),
  CreatedDate: epoch(s.createdAt),
  LastChangedDate: epoch(s.lastChangedAt),
  VersionIdsToStages: stages(s),
});

// -- the server ----------------------------------------------------------------------------------

export const startAwsEmulator = async (o: EmulatorOptions, port = 0): Promise<AwsEmulator> => {
  const busNames = new Set([o.busName, 'default']);
  const busOk = (name: string | undefined) => !name || busNames.has(name) || busNames.has(name.slice(name.lastIndexOf('/') + 1));

  const queueCall = <T>(f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof QueueError) {
        const q = err.code === 'QueueDoesNotExist' ? 'AWS.SimpleQueueService.NonExistentQueue;Sender' : `${err.code};Sender`;
        throw new ApiError(`com.amazonaws.sqs#${err.code}`, err.message, 400, q);
      }
      throw err;
    }
  };
  const secretCall = <T>(f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof SecretsError) throw new ApiError(err.code, err.message);
      throw err;
    }
  };
  const batchEntry = <T>(id: string, f: () => T): { ok: T } | { fail: Json } => {
    try {
      return { ok: f() };
    } catch (err) {
      if (err instanceof QueueError) return { fail: { Id: id, SenderFault: true, Code: err.code, Message: err.message } };
      throw err;
    }
  };

  const handlers: Record<string, Handler> = {
    'AWSEvents.PutEvents': (input) => {
      const req = PutEventsSchema.parse(input);
      let failed = 0;
      const entries = req.Entries.map((e): Json => {
        const fail = (code: string, message: string) => {
          failed++;
          return { ErrorCode: code, ErrorMessage: message };
        };
        if (!e.Source) return fail('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
        if (!e.DetailType) return fail('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
        if (!e.Detail) return fail('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
        if (!busOk(e.EventBusName)) return fail('ResourceNotFoundException', `Event bus ${e.EventBusName} does not exist.`);
        let detail: unknown;
        try {
          detail = JSON.parse(e.Detail);
        } catch {
          return fail('MalformedDetail', 'Detail is malformed.');
        }
        if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return fail('MalformedDetail', 'Detail is malformed.');
        const bus = o.bus();
        const event = bus.envelope({
          source: e.Source,
          detailType: e.DetailType,
          detail: detail as Record<string, unknown>,
          ...(e.Time !== undefined ? { time: new Date(e.Time * 1000) } : {}),
          ...(e.Resources ? { resources: e.Resources } : {}),
        });
        return { EventId: bus.dispatch(event) };
      });
      return { FailedEntryCount: failed, Entries: entries };
    },

    'AmazonSQS.SendMessage': (input) => {
      const r = SendSchema.parse(input);
      const m = queueCall(() =>
        o.queues().send(r.QueueUrl, r.MessageBody, {
          ...(r.DelaySeconds !== undefined ? { delaySeconds: r.DelaySeconds } : {}),
          ...(r.MessageAttributes ? { messageAttributes: r.MessageAttributes } : {}),
          ...(r.MessageGroupId !== undefined ? { groupId: r.MessageGroupId } : {}),
          ...(r.MessageDeduplicationId !== undefined ? { dedupId: r.MessageDeduplicationId } : {}),
        }),
      );
      return {
        MessageId: m.messageId,
        ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
        MD5OfMessageBody: m.md5OfBody,
        ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
      };
    },
    'AmazonSQS.SendMessageBatch': (input) => {
      const r = SendBatchSchema.parse(input);
      queueCall(() => o.queues().assertExists(r.QueueUrl)); // QueueDoesNotExist for the whole call
      if (new Set(r.Entries.map((e) => e.Id)).size !== r.Entries.length)
        throw new ApiError('com.amazonaws.sqs#BatchEntryIdsNotDistinct', 'Two or more batch entries have the same Id.');
      const Successful: Json[] = [];
      const Failed: Json[] = [];
      for (const e of r.Entries) {
        const res = batchEntry(e.Id, () =>
          o.queues().send(r.QueueUrl, e.MessageBody, {
            ...(e.DelaySeconds !== undefined ? { delaySeconds: e.DelaySeconds } : {}),
            ...(e.MessageAttributes ? { messageAttributes: e.MessageAttributes } : {}),
            ...(e.MessageGroupId !== undefined ? { groupId: e.MessageGroupId } : {}),
            ...(e.MessageDeduplicationId !== undefined ? { dedupId: e.MessageDeduplicationId } : {}),
          }),
        );
        if ('ok' in res)
          Successful.push({
            Id: e.Id,
            MessageId: res.ok.messageId,
            ...(res.ok.sequenceNumber ? { SequenceNumber: res.ok.sequenceNumber } : {}),
            MD5OfMessageBody: res.ok.md5OfBody,
            ...(res.ok.md5OfMessageAttributes ? { MD5OfMessageAttributes: res.ok.md5OfMessageAttributes } : {}),
          });
        else Failed.push(res.fail);
      }
      return { Successful, Failed };
    },
    'AmazonSQS.ReceiveMessage': async (input) => {
      const r = ReceiveSchema.parse(input);
      const store = o.queues();
      const msgs = await queueCall(() =>
        store.receive(r.QueueUrl, r.MaxNumberOfMessages ?? 1, r.VisibilityTimeout, r.WaitTimeSeconds ?? 0),
      );
      const sysNames = [...(r.AttributeNames ?? []), ...(r.MessageSystemAttributeNames ?? [])];
      return { Messages: msgs.map((m) => sqsMessage(m, sysNames, r.MessageAttributeNames)) };
    },
    'AmazonSQS.DeleteMessage': (input) => {
      const r = DeleteSchema.parse(input);
      queueCall(() => o.queues().delete(r.QueueUrl, r.ReceiptHandle));
      return {};
    },
    'AmazonSQS.DeleteMessageBatch': (input) => {
      const r = DeleteBatchSchema.parse(input);
      queueCall(() => o.queues().assertExists(r.QueueUrl));
      const Successful: Json[] = [];
      const Failed: Json[] = [];
      for (const e of r.Entries) {
        const res = batchEntry(e.Id, () => o.queues().delete(r.QueueUrl, e.ReceiptHandle));
        if ('ok' in res) Successful.push({ Id: e.Id });
        else Failed.push(res.fail);
      }
      return { Successful, Failed };
    },
    'AmazonSQS.ChangeMessageVisibility': (input) => {
      const r = ChangeVisSchema.parse(input);
      queueCall(() => o.queues().changeVisibility(r.QueueUrl, r.ReceiptHandle, r.VisibilityTimeout));
      return {};
    },
    'AmazonSQS.GetQueueAttributes': (input) => {
      const r = QueueUrlSchema.parse(input);
      const names = r.AttributeNames ?? ['All'];
      const all = queueCall(() => o.queues().attributes(r.QueueUrl));
      return { Attributes: selectAttrs(all, names) };
    },
    'AmazonSQS.GetQueueUrl': (input) => {
      const r = GetQueueUrlSchema.parse(input);
      const store = o.queues();
      if (!store.names().includes(r.QueueName))
        throw new ApiError(
          'com.amazonaws.sqs#QueueDoesNotExist',
          'The specified queue does not exist.',
          400,
          'AWS.SimpleQueueService.NonExistentQueue;Sender',
        );
      return { QueueUrl: store.url(r.QueueName) };
    },
    'AmazonSQS.PurgeQueue': (input) => {
      const r = QueueUrlSchema.parse(input);
      queueCall(() => o.queues().purge(r.QueueUrl));
      return {};
    },
    'AmazonSQS.ListQueues': (input) => {
      const r = ListQueuesSchema.parse(input);
      const store = o.queues();
      return {
        QueueUrls: store
          .names()
          .filter((n) => !r.QueueNamePrefix || n.startsWith(r.QueueNamePrefix))
          .map((n) => store.url(n)),
      };
    },

    'secretsmanager.GetSecretValue': (input) => {
      const r = GetSecretSchema.parse(input);
      const s = secretCall(() => o.secrets.get(r.SecretId));
      const v =
        r.VersionId !== undefined
          ? [s.current, s.previous].find((x) => x?.versionId === r.VersionId)
          : r.VersionStage === undefined || r.VersionStage === 'AWSCURRENT'
            ? s.current
            : r.VersionStage === 'AWSPREVIOUS'
              ? s.previous
              : undefined;
      if (!v)
        throw new ApiError(
          'ResourceNotFoundException',
          "Secrets Manager can't find the specified secret value for VersionId or VersionStage.",
        );
      return {
        ARN: s.arn,
        Name: s.name,
        VersionId: v.versionId,
        SecretString: v.secretString,
        VersionStages: v === s.current ? ['AWSCURRENT'] : ['AWSPREVIOUS'],
        CreatedDate: epoch(v.createdAt),
      };
    },
    'secretsmanager.PutSecretValue': (input) => {
      const r = PutSecretSchema.parse(input);
      if (r.SecretString === undefined)
        throw new ApiError('InvalidParameterException', 'SecretString is required locally (SecretBinary is not supported)');
      const s = secretCall(() => o.secrets.put(r.SecretId, r.SecretString ?? '', r.ClientRequestToken));
      return { ARN: s.arn, Name: s.name, VersionId: s.current.versionId, VersionStages: ['AWSCURRENT'] };
    },
    'secretsmanager.CreateSecret': (input) => {
      const r = CreateSecretSchema.parse(input);
      const s = secretCall(() => o.secrets.create(r.Name, r.SecretString, r.Description, r.ClientRequestToken));
      return { ARN: s.arn, Name: s.name, VersionId: s.current.versionId };
    },
    'secretsmanager.UpdateSecret': (input) => {
      const r = UpdateSecretSchema.parse(input);
      let s = secretCall(() => o.secrets.get(r.SecretId));
      const { Description: description, SecretString: value } = r;
      if (description !== undefined) s = secretCall(() => o.secrets.updateDescription(r.SecretId, description));
      if (value !== undefined) s = secretCall(() => o.secrets.put(r.SecretId, value, r.ClientRequestToken));
      return { ARN: s.arn, Name: s.name, ...(r.SecretString !== undefined ? { VersionId: s.current.versionId } : {}) };
    },
    'secretsmanager.DescribeSecret': (input) => {
      const r = DescribeSecretSchema.parse(input);
      return describe(secretCall(() => o.secrets.get(r.SecretId)));
    },
    'secretsmanager.DeleteSecret': (input) => {
      const r = DeleteSecretSchema.parse(input);
      const s = secretCall(() => o.secrets.delete(r.SecretId));
      return { ARN: s.arn, Name: s.name, DeletionDate: epoch(Date.now()) };
    },
    'secretsmanager.ListSecrets': (input) => {
      const r = ListSecretsSchema.parse(input);
      const prefixes: string[] = [];
      for (const f of r.Filters ?? []) {
        if (f.Key !== 'name')
          throw new ApiError('InvalidParameterException', `filter key '${f.Key}' is not supported locally (only 'name')`);
        prefixes.push(...f.Values);
      }
      const all = o.secrets.list(prefixes);
      const start = r.NextToken ? Number(r.NextToken) : 0;
      const max = r.MaxResults ?? 100;
      const page = all.slice(start, start + max);
      return {
        SecretList: page.map(describe),
        ...(start + max < all.length ? { NextToken: String(start + max) } : {}),
      };
    },
  };

  const readBody = (req: IncomingMessage): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_REQUEST_BYTES) {
          reject(new ApiError('RequestEntityTooLarge', 'request too large', 413));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const send = (res: ServerResponse, status: number, contentType: string, body: Json, extra: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...extra,
    });
    res.end(text);
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const at = (req.url ?? '').indexOf('/@connections/');
      if (at >= 0 && req.method === 'POST') {
        const connectionId = decodeURIComponent((req.url ?? '').slice(at + '/@connections/'.length).split('?')[0] ?? '');
        try {
          const body = await readBody(req);
          if (o.postToConnection?.(connectionId, body)) send(res, 200, 'application/json', {});
          else send(res, 410, 'application/json', { message: 'Gone' }, { 'x-amzn-errortype': 'GoneException' });
        } catch (err) {
          o.onLog?.(`[aws-emulator] PostToConnection: ${err instanceof Error ? err.message : String(err)}`);
          if (!res.headersSent) send(res, 500, 'application/json', { message: 'internal error in the local AWS emulator' });
        }
        return;
      }
      const contentType = target.startsWith('AmazonSQS.') ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
      try {
        const body = await readBody(req);
        const h = handlers[target];
        if (req.method !== 'POST' || !h)
          throw new ApiError(
            'UnknownOperationException',
            `the local AWS emulator does not implement '${target || `${req.method} ${req.url}`}'`,
          );
        let input: unknown;
        try {
          input = body.length ? JSON.parse(body.toString('utf8')) : {};
        } catch {
          throw new ApiError('SerializationException', 'request body is not valid JSON');
        }
        send(res, 200, contentType, await h(input));
      } catch (err) {
        let e: ApiError;
        if (err instanceof ApiError) e = err;
        else if (err instanceof z.ZodError)
          e = new ApiError(
            target.startsWith('AmazonSQS.')
              ? 'com.amazonaws.sqs#InvalidParameterValue'
              : target.startsWith('AWSEvents.')
                ? 'ValidationException'
                : 'InvalidParameterException',
            `invalid request: ${err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          );
        else {
          o.onLog?.(`[aws-emulator] ${target}: ${err instanceof Error ? err.message : String(err)}`);
          e = new ApiError('InternalFailure', 'internal error in the local AWS emulator', 500);
        }
        const short = e.type.slice(e.type.lastIndexOf('#') + 1);
        send(
          res,
          e.status,
          contentType,
          { __type: e.type, message: e.message },
          {
            'x-amzn-errortype': short,
            ...(e.queryError ? { 'x-amzn-query-error': e.queryError } : {}),
          },
        );
      }
    })();
  });
  server.keepAliveTimeout = 5000;
  const bound = await listen(server, port);
  const endpoint = `http://127.0.0.1:${bound}`;
  return { endpoint, port: bound, stop: () => closeServer(server) };
};
