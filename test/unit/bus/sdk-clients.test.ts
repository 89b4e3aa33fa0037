/**
 * The bus's AWS SDK clients (SQS, EventBridge, the WebSocket API's management API) as the platform
 * builds them, against a loopback server speaking the services' JSON protocols: one client per
 * process on one kept-alive connection, and the middleware stack resolved once per command class
 * (`cacheMiddleware`), not on every call (README "Node CPU per AWS SDK call").
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PileStatusChanged } from '../../../events/piles.ts';
import { OcppChecksQueue } from '../../../events/queues.ts';
import { postToConnection } from '../../../shared/bus/connections.ts';
import { publish, resetPublishClient } from '../../../shared/bus/publish.ts';
import { resetSendClient, send } from '../../../shared/bus/send.ts';
import { resetConfig } from '../../../shared/config.ts';

/** what the fake AWS answers each operation */
const answer = (target: string, body: string): Record<string, unknown> => {
  if (target === 'AmazonSQS.SendMessage') {
    const { MessageBody } = JSON.parse(body) as { MessageBody: string };
    return { MessageId: 'm-1', MD5OfMessageBody: createHash('md5').update(MessageBody).digest('hex') };
  }
  if (target === 'AWSEvents.PutEvents') return { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] };
  return {}; // PostToConnection
};

const requests: string[] = [];
let connections = 0;
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const target = String(req.headers['x-amz-target'] ?? `${req.method} ${req.url}`);
    requests.push(target);
    const text = JSON.stringify(answer(target, body));
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.on('connection', () => connections++);

const saved = new Map<string, string | undefined>();
const setEnv = (vars: Record<string, string | undefined>) => {
  for (const [k, v] of Object.entries(vars)) {
    if (!saved.has(k)) saved.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
};

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const endpoint = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  setEnv({
    AWS_REGION: 'ap-northeast-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_ENDPOINT_URL_SQS: endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint,
    QUEUE_URL_OCPP_CHECKS: `${endpoint}/000000000000/ocpp-checks`,
    EVENT_BUS_NAME: 'evcs',
    OCPP_CALLBACK_URL: `${endpoint}/ocpp`,
  });
  resetConfig();
  resetSendClient();
  resetPublishClient();
});

afterEach(() => {
  vi.restoreAllMocks();
  requests.length = 0;
  connections = 0;
});

afterAll(async () => {
  resetSendClient();
  resetPublishClient();
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetConfig();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('the bus SDK clients', () => {
  it('SendMessage: one connection for every call, the middleware stack resolved once', async () => {
    const resolve = vi.spyOn(SendMessageCommand.prototype, 'resolveMiddleware');
    for (let i = 0; i < 5; i++) await send(OcppChecksQueue, { kind: 'configure', chargePointId: `CP-${i}` });
    expect(requests).toEqual(Array(5).fill('AmazonSQS.SendMessage'));
    expect(connections).toBe(1);
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it('PutEvents: one connection for every call, the middleware stack resolved once', async () => {
    const resolve = vi.spyOn(PutEventsCommand.prototype, 'resolveMiddleware');
    for (let i = 0; i < 5; i++) await publish(PileStatusChanged, { ...PileStatusChanged.sample, seq: i });
    expect(requests).toEqual(Array(5).fill('AWSEvents.PutEvents'));
    expect(connections).toBe(1);
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it('PostToConnection: one connection for every call, the middleware stack resolved once', async () => {
    const resolve = vi.spyOn(PostToConnectionCommand.prototype, 'resolveMiddleware');
    for (let i = 0; i < 5; i++) expect(await postToConnection(`conn-${i}`, '[3,"1",{}]')).toBe(true);
    expect(requests).toEqual(Array.from({ length: 5 }, (_, i) => `POST /ocpp/@connections/conn-${i}`));
    expect(connections).toBe(1);
    expect(resolve).toHaveBeenCalledTimes(1);
  });
});
