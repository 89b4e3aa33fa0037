/**
 * The local API Gateway WebSocket API: `ws://127.0.0.1:<port>/ocpp/<chargePointId>` on the HTTP
 * API's server, routed to the topology's `websocket` functions as API Gateway would:
 *
 *   - the upgrade request → `$connect` (headers, the charge point id as the `chargePointId` query
 *     parameter — in AWS a rewrite in front of the API does the same); a non-2xx answer refuses the
 *     upgrade with that HTTP status, a 2xx one accepts with the subprotocol it names;
 *   - each text message → `$default`; a `body` in the answer is sent back (the route response);
 *     one message of a connection at a time, in arrival order;
 *   - the socket closing → `$disconnect`;
 *   - PostToConnection (served by the AWS emulator, `POST /@connections/{id}`) → `post()`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { type RawData, WebSocketServer } from 'ws';
import { OCPP_PATH } from '../topology/piles.ts';
import type { FunctionDecl, Topology } from '../topology/types.ts';
import type { Invoker } from './invoke.ts';

/** API Gateway's own limit on one WebSocket frame */
const MAX_FRAME_BYTES = 128 * 1024;

export interface LocalWebSocketApi {
  /** the HTTP server's `upgrade` event */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** PostToConnection: false when the connection is gone (410) */
  post(connectionId: string, data: Buffer): boolean;
  /** open connections */
  size(): number;
  stop(): Promise<void>;
}

type WsRoute = '$connect' | '$disconnect' | '$default';

interface Result {
  statusCode?: number;
  headers?: Record<string, string>;
  body?: string;
}

const connectionIdOf = (): string => randomBytes(9).toString('base64').replace(/\//g, '_').replace(/\+/g, '-');

export const createLocalWebSocketApi = (o: { topology: Topology; invoker: Invoker; onLog?: (line: string) => void }): LocalWebSocketApi => {
  const routes = new Map<WsRoute, FunctionDecl>();
  for (const fn of o.topology.functions) for (const t of fn.triggers) if (t.type === 'websocket') routes.set(t.route, fn);
  // the subprotocol $connect accepted, per upgrade request
  const accepted = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (_offered, req) => accepted.get(req) ?? false,
  });
  const sockets = new Map<string, WebSocket>();

  const invoke = async (route: WsRoute, connectionId: string, extra: object): Promise<Result> => {
    const fn = routes.get(route);
    if (!fn) return { statusCode: 200 };
    const now = new Date();
    const event = {
      requestContext: {
        routeKey: route,
        eventType: route === '$connect' ? 'CONNECT' : route === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
        connectionId,
        stage: 'ocpp',
        apiId: 'local',
        requestTimeEpoch: now.getTime(),
        connectedAt: now.getTime(),
      },
      isBase64Encoded: false,
      ...extra,
    };
    const r = (await o.invoker.invoke(fn, event)) as Result | undefined;
    return r ?? {};
  };

  const refuse = (socket: Duplex, status: number) => {
    const text = status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : status === 400 ? 'Bad Request' : 'Forbidden';
    socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  };

  const open = (ws: WebSocket, connectionId: string) => {
    sockets.set(connectionId, ws);
    let chain = Promise.resolve();
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const body = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      chain = chain.then(async () => {
        try {
          const r = await invoke('$default', connectionId, {
            body: isBinary ? body.toString('base64') : body.toString('utf8'),
            isBase64Encoded: isBinary,
          });
          if (typeof r.body === 'string' && r.body.length && ws.readyState === WebSocket.OPEN) ws.send(r.body);
        } catch (err) {
          o.onLog?.(`[websocket] $default ${connectionId}: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
    });
    ws.on('close', () => {
      sockets.delete(connectionId);
      chain = chain.then(() =>
        invoke('$disconnect', connectionId, {}).then(
          () => undefined,
          (err: unknown) => o.onLog?.(`[websocket] $disconnect ${connectionId}: ${err instanceof Error ? err.message : String(err)}`),
        ),
      );
    });
    ws.on('error', () => undefined);
  };

  return {
    upgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://local');
      const m = new RegExp(`^${OCPP_PATH}/([^/]+)$`).exec(url.pathname);
      if (!m?.[1] || !routes.size) return refuse(socket, 404);
      const chargePointId = decodeURIComponent(m[1]);
      const connectionId = connectionIdOf();
      const headers: Record<string, string> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers[(req.rawHeaders[i] ?? '').toLowerCase()] = req.rawHeaders[i + 1] ?? '';
      void invoke('$connect', connectionId, { headers, queryStringParameters: { ...Object.fromEntries(url.searchParams), chargePointId } })
        .then((r) => {
          const status = r.statusCode ?? 200;
          if (status < 200 || status > 299) return refuse(socket, status);
          const protocol = Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === 'sec-websocket-protocol')?.[1];
          if (protocol) accepted.set(req, protocol);
          wss.handleUpgrade(req, socket, head, (ws) => open(ws, connectionId));
        })
        .catch((err: unknown) => {
          o.onLog?.(`[websocket] $connect ${chargePointId}: ${err instanceof Error ? err.message : String(err)}`);
          refuse(socket, 500);
        });
    },
    post(connectionId, data) {
      const ws = sockets.get(connectionId);
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(data.toString('utf8'));
      return true;
    },
    size: () => sockets.size,
    async stop() {
      for (const ws of sockets.values()) ws.terminate();
      sockets.clear();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
};
