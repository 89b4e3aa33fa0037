/**
 * The local API Gateway (HTTP API, payload format 2.0): routes from the topology's `http`
 * triggers (exact path, method), the v2 event, the v2 response mapping, and API Gateway's own
 * answers — 404 {"message":"Not Found"}, 500 {"message":"Internal Server Error"}, 413 for a
 * body over 10 MB. Local-only routes (health, simulator controls) can be added by the caller;
 * they may use `{name}` path parameters.
 */

import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { FunctionDecl, Topology } from '../topology/types.ts';
import type { Invoker } from './invoke.ts';
import { closeServer, listen } from './ports.ts';

const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface ExtraRouteContext {
  /** `{name}` segments of the route's path */
  params: Record<string, string>;
  /** the request body (read once, ≤ 10 MB) */
  readBody(): Promise<Buffer>;
}

export interface ExtraRoute {
  method: string;
  /** exact path, or with `{name}` segments: `/local/sim/connectors/{id}` */
  path: string;
  handle(req: IncomingMessage, res: ServerResponse, ctx: ExtraRouteContext): void | Promise<void>;
}

export interface HttpApiOptions {
  topology: Topology;
  invoker: Invoker;
  port: number;
  region: string;
  account: string;
  extraRoutes?: readonly ExtraRoute[];
  /**
   * the admin key: routes declared `auth: 'operator'` answer 401 {"message":"Unauthorized"} (as API
   * Gateway's JWT authorizer does) unless the request carries `Authorization: Bearer <key>`
   */
  operatorKey?: string;
  /** WebSocket upgrades (the local OCPP WebSocket API, infra/local/websocket.ts) */
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  onLog?: (line: string) => void;
  /**
   * the app API's bearer key (`auth: 'app'` routes): the local stand-in for the IAM authorizer in
   * AWS. Without it every app route answers 401.
   */
  appApiKey?: string;
}

export interface HttpApi {
  url: string;
  port: number;
  /** `POST /evcs/v1/query_token` → function id */
  routes(): Record<string, string>;
  stop(): Promise<void>;
}

class PayloadTooLarge extends Error {}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_PAYLOAD_BYTES)
        tooLarge = true; // keep draining so the 413 reaches the client
      else chunks.push(c);
    });
    req.on('end', () => (tooLarge ? reject(new PayloadTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

/** `/local/sim/connectors/{id}` against a path: the `{name}` parameters, or undefined when it does not match */
export const matchPath = (pattern: string, path: string): Record<string, string> | undefined => {
  const p = pattern.split('/');
  const a = path.split('/');
  if (p.length !== a.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i] ?? '';
    const val = a[i] ?? '';
    const name = /^\{(\w+)\}$/.exec(seg)?.[1];
    if (name) {
      if (!val) return undefined;
      // a malformed %-escape matches no route (404), as in API Gateway — never a thrown URIError (500)
      let decoded: string;
      try {
        decoded = decodeURIComponent(val);
      } catch {
        return undefined;
      }
      params[name] = decoded;
    } else if (seg !== val) return undefined;
  }
  return params;
};

/** API Gateway's v2 response mapping: a structured response, or anything else → 200 JSON */
const mapResult = (result: unknown): { status: number; headers: Record<string, string | string[]>; body: Buffer } => {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const r = result as { statusCode: unknown; headers?: unknown; body?: unknown; isBase64Encoded?: unknown; cookies?: unknown };
    if (typeof r.statusCode !== 'number' || !Number.isInteger(r.statusCode) || r.statusCode < 100 || r.statusCode > 599)
      throw new Error('malformed Lambda proxy response: statusCode');
    const headers: Record<string, string | string[]> = {};
    if (r.headers !== undefined) {
      if (typeof r.headers !== 'object' || r.headers === null) throw new Error('malformed Lambda proxy response: headers');
      for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = String(v);
    }
    if (Array.isArray(r.cookies) && r.cookies.length) headers['set-cookie'] = r.cookies.map(String);
    headers['content-type'] ??= 'application/json';
    const bodyText = r.body === undefined || r.body === null ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    const body = r.isBase64Encoded === true ? Buffer.from(bodyText, 'base64') : Buffer.from(bodyText, 'utf8');
    return { status: r.statusCode, headers, body };
  }
  const text = typeof result === 'string' ? result : (JSON.stringify(result) ?? '');
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(text, 'utf8') };
};

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * `Authorization: Bearer <key>` against a route's key (the app key, the admin key), compared in
 * constant time: what the route's authorizer decides in AWS, decided before the function runs.
 */
const bearerMatches = (key: string | undefined, header: string | undefined): boolean => {
  const given = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  return key !== undefined && given !== undefined && timingSafeEqual(digest(key), digest(given));
};

/** the route `method path` of `fn` is declared `auth: 'operator'` */
const operatorOnly = (fn: FunctionDecl, method: string, path: string): boolean =>
  fn.triggers.some((t) => t.type === 'http' && t.auth === 'operator' && t.method === method && matchPath(t.path, path) !== undefined);

export const startHttpApi = async (o: HttpApiOptions): Promise<HttpApi> => {
  const routes = new Map<string, FunctionDecl>();
  for (const fn of o.topology.functions)
    for (const t of fn.triggers) {
      if (t.type !== 'http') continue;
      const key = `${t.method} ${t.path}`;
      const prev = routes.get(key);
      if (prev) throw new Error(`route ${key} is declared by both ${prev.id} and ${fn.id}`);
      routes.set(key, fn);
    }
  let boundPort = o.port;

  const patternRoute = (method: string, path: string): FunctionDecl | undefined => {
    for (const [key, fn] of routes) {
      const [m, pattern] = key.split(' ') as [string, string];
      if (m === method && pattern.includes('{') && matchPath(pattern, path)) return fn;
    }
    return undefined;
  };

  const buildEvent = (req: IncomingMessage, url: URL, routeKey: string, body: Buffer): APIGatewayProxyEventV2 => {
    const headers: Record<string, string> = {};
    const cookies: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const k = (req.rawHeaders[i] ?? '').toLowerCase();
      const v = req.rawHeaders[i + 1] ?? '';
      if (k === 'cookie') {
        cookies.push(
          ...v
            .split(';')
            .map((c) => c.trim())
            .filter(Boolean),
        );
        continue;
      }
      headers[k] = headers[k] === undefined ? v : `${headers[k]},${v}`;
    }
    const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
    headers['x-forwarded-proto'] ??= 'http';
    headers['x-forwarded-port'] ??= String(boundPort);
    const rawQueryString = url.search.startsWith('?') ? url.search.slice(1) : '';
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
    const now = new Date();
    const requestId = randomUUID();
    const domainName = headers.host ?? `127.0.0.1:${boundPort}`;
    return {
      version: '2.0',
      routeKey,
      rawPath: url.pathname,
      rawQueryString,
      ...(cookies.length ? { cookies } : {}),
      headers,
      ...(rawQueryString ? { queryStringParameters: query } : {}),
      requestContext: {
        accountId: o.account,
        apiId: 'local',
        domainName,
        domainPrefix: domainName.split(/[.:]/)[0] ?? '',
        http: {
          method: req.method ?? 'GET',
          path: url.pathname,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp,
          userAgent: headers['user-agent'] ?? '',
        },
        requestId,
        routeKey,
        stage: '$default',
        time: now.toISOString(),
        timeEpoch: now.getTime(),
      },
      ...(body.length ? { body: body.toString('utf8') } : {}),
      isBase64Encoded: false,
    };
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const method = req.method ?? 'GET';
      const apigwId = randomUUID();
      // a request target no URL can be made of (`//[`): API Gateway's 400, never an unhandled rejection (a crash)
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://local');
      } catch {
        req.resume();
        return json(res, 400, { message: 'Bad Request' }, { 'apigw-requestid': apigwId });
      }
      try {
        // exact routes first, then the topology's `{name}` routes (the msp prefix `/msp/{profile}/v1/…`)
        const fn = routes.get(`${method} ${url.pathname}`) ?? patternRoute(method, url.pathname);
        if (!fn) {
          for (const r of o.extraRoutes ?? []) {
            if (r.method !== method) continue;
            const params = matchPath(r.path, url.pathname);
            if (!params) continue;
            await r.handle(req, res, { params, readBody: () => readBody(req) });
            return;
          }
          req.resume();
          return json(res, 404, { message: 'Not Found' }, { 'apigw-requestid': apigwId });
        }
        if (operatorOnly(fn, method, url.pathname) && !bearerMatches(o.operatorKey, req.headers.authorization)) {
          req.resume();
          return json(res, 401, { message: 'Unauthorized' }, { 'apigw-requestid': apigwId });
        }
        let body: Buffer;
        try {
          body = await readBody(req);
        } catch (err) {
          if (err instanceof PayloadTooLarge)
            return json(res, 413, { message: 'Request Entity Too Large' }, { 'apigw-requestid': apigwId });
          throw err;
        }
        const routeKey = `${method} ${url.pathname}`;
        const trigger = fn.triggers.find(
          (t) => t.type === 'http' && t.method === method && (t.path === url.pathname || matchPath(t.path, url.pathname)),
        );
        const event = buildEvent(req, url, routeKey, body);
        if (trigger?.type === 'http') {
          const params = trigger.path.includes('{') ? matchPath(trigger.path, url.pathname) : undefined;
          if (params && Object.keys(params).length) event.pathParameters = params;
          if (trigger.auth === 'app') {
            if (!bearerMatches(o.appApiKey, event.headers.authorization)) {
              return json(
                res,
                401,
                { error: { code: 'unauthorized', message: 'missing or wrong bearer key' } },
                { 'apigw-requestid': apigwId },
              );
            }
            // what an authorizer leaves in the request context (in AWS: `iam`, the SigV4 caller)
            (event.requestContext as { authorizer?: unknown }).authorizer = { lambda: { caller: 'local-app-key' } };
          }
        }
        let mapped: ReturnType<typeof mapResult>;
        try {
          mapped = mapResult(await o.invoker.invoke(fn, event));
        } catch (err) {
          o.onLog?.(`[http] ${routeKey} → ${fn.id}: ${err instanceof Error ? err.message : String(err)}`);
          return json(res, 500, { message: 'Internal Server Error' }, { 'apigw-requestid': apigwId });
        }
        res.writeHead(mapped.status, { ...mapped.headers, 'content-length': mapped.body.length, 'apigw-requestid': apigwId });
        res.end(mapped.body);
      } catch (err) {
        o.onLog?.(`[http] ${method} ${url.pathname}: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) json(res, 500, { message: 'Internal Server Error' });
        else res.end();
      }
    })().catch((err: unknown) => {
      // last resort: whatever escaped is logged and answered; the server never dies of one request
      o.onLog?.(`[http] ${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) json(res, 500, { message: 'Internal Server Error' });
      else res.end();
    });
  });
  const upgrade = o.onUpgrade;
  if (upgrade) server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => upgrade(req, socket, head));
  else server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => socket.destroy());
  boundPort = await listen(server, o.port);
  return {
    url: `http://127.0.0.1:${boundPort}`,
    port: boundPort,
    routes: () => Object.fromEntries([...routes].map(([k, f]) => [k, f.id])),
    stop: () => closeServer(server),
  };
};
