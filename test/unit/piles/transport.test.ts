/**
 * The pile transport: which AWS IoT Core call the cloud path makes (aws-sdk-client-mock — the one
 * place the platform's tests mock AWS), what the local path sends to the simulator (a real
 * loopback server), and how PILE_TRANSPORT chooses between them.
 */

import { createServer, type IncomingMessage } from 'node:http';
import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { PileCommandRequested } from '../../../events/piles.ts';
import { resetConfig } from '../../../shared/config.ts';
import {
  commandTopic,
  IotPileTransport,
  LocalPileTransport,
  type PileCommand,
  PileTransportError,
  pileTransport,
  resetPileTransport,
} from '../../../shared/piles/transport.ts';

const cmd: PileCommand = PileCommandRequested.sample;

describe('IotPileTransport (AWS)', () => {
  it('publishes the command as JSON to evcs/piles/<ConnectorID>/commands with QoS 1', async () => {
    const client = new IoTDataPlaneClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const iot = mockClient(client);
    iot.on(PublishCommand).resolves({});
    await new IotPileTransport(client).send(cmd);
    const calls = iot.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.topic).toBe(`evcs/piles/${cmd.ConnectorID}/commands`);
    expect(input.topic).toBe(commandTopic(cmd.ConnectorID));
    expect(input.qos).toBe(1);
    expect(input.contentType).toBe('application/json');
    expect(JSON.parse(new TextDecoder().decode(input.payload as Uint8Array))).toEqual(cmd);
  });

  it('a failed publish rejects (so the gateway queue retries, then keeps it in the DLQ)', async () => {
    const client = new IoTDataPlaneClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    mockClient(client).on(PublishCommand).rejects(new Error('ThrottlingException'));
    await expect(new IotPileTransport(client).send(cmd)).rejects.toThrow('ThrottlingException');
  });
});

describe('LocalPileTransport (simulator)', () => {
  const serve = async (status: number) => {
    const got: { method?: string; url?: string; body: string }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push({ method: req.method, url: req.url, body });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end('{"taken":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    return { url: `http://127.0.0.1:${port}/local/sim`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
  };

  it('POSTs the command to <PILE_SIM_URL>/commands', async () => {
    const s = await serve(202);
    try {
      await new LocalPileTransport(s.url).send(cmd);
      expect(s.got).toEqual([{ method: 'POST', url: '/local/sim/commands', body: JSON.stringify(cmd) }]);
    } finally {
      await s.close();
    }
  });

  it('an HTTP error from the simulator rejects', async () => {
    const s = await serve(500);
    try {
      await expect(new LocalPileTransport(s.url).send(cmd)).rejects.toBeInstanceOf(PileTransportError);
    } finally {
      await s.close();
    }
  });
});

describe('pileTransport() from the configuration', () => {
  const saved = { t: process.env.PILE_TRANSPORT, u: process.env.PILE_SIM_URL };
  afterEach(() => {
    for (const [k, v] of [
      ['PILE_TRANSPORT', saved.t],
      ['PILE_SIM_URL', saved.u],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetConfig();
    resetPileTransport();
  });
  const fresh = (env: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetConfig();
    resetPileTransport();
    return pileTransport();
  };

  it('defaults to AWS IoT', () => {
    expect(fresh({ PILE_TRANSPORT: undefined, PILE_SIM_URL: undefined })).toBeInstanceOf(IotPileTransport);
  });
  it('local with a URL → the simulator transport', () => {
    expect(fresh({ PILE_TRANSPORT: 'local', PILE_SIM_URL: 'http://127.0.0.1:1/local/sim' })).toBeInstanceOf(LocalPileTransport);
  });
  it('local without a URL, or an unknown transport, is a configuration error', () => {
    expect(() => fresh({ PILE_TRANSPORT: 'local', PILE_SIM_URL: undefined })).toThrow(/PILE_SIM_URL/);
    expect(() => fresh({ PILE_TRANSPORT: 'mqtt', PILE_SIM_URL: undefined })).toThrow();
  });
});
