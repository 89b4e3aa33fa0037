/**
 * The admin API of the operator console (JSON): `GET /admin/v1/{view}` and
 * `POST /admin/v1/dlq/replay`. Authentication is the route's (API Gateway's Cognito JWT authorizer
 * in AWS, the local API's bearer key): a request that reaches this function is the operator's.
 * Input is validated with zod; an unknown view is a 404, bad input a 400, never a crash.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { logger } from '#powertools';
import {
  BadCursorError,
  chargePointsView,
  disputesView,
  dlqView,
  partnersView,
  replayParked,
  sessionsView,
  slasView,
  stationsView,
} from '../../shared/services/admin-views.ts';

const Days = z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(31)), 7);
const ViewQuery = z.strictObject({ days: Days });
/** the sessions view pages: `limit` per list, a cursor (`next.live` / `next.finished` of the last answer) for one list */
const Cursor = z.string().check(z.minLength(1), z.maxLength(4096));
const SessionsQuery = z
  .strictObject({
    days: Days,
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(500)), 100),
    live: z.optional(Cursor),
    finished: z.optional(Cursor),
  })
  .check(z.refine((q) => !(q.live && q.finished), 'one cursor at a time (live or finished)'));
const ReplayBody = z.strictObject({ messageId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))) });

const VIEWS = {
  stations: () => stationsView(),
  sessions: (q: z.infer<typeof ViewQuery>) => {
    const s = q as z.infer<typeof SessionsQuery>;
    return sessionsView(s.days, { limit: s.limit, ...(s.live ? { live: s.live } : {}), ...(s.finished ? { finished: s.finished } : {}) });
  },
  partners: () => partnersView(),
  dlq: () => dlqView(),
  disputes: (q: z.infer<typeof ViewQuery>) => disputesView(q.days),
  slas: (q: z.infer<typeof ViewQuery>) => slasView(q.days),
  'charge-points': () => chargePointsView(),
} as const;
const ViewName = z.enum(Object.keys(VIEWS) as [keyof typeof VIEWS, ...Array<keyof typeof VIEWS>]);

const reply = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

const parseJson = (text: string | undefined): unknown => {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  if (method === 'POST' && path === '/admin/v1/dlq/replay') {
    const body = ReplayBody.safeParse(
      parseJson(event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString() : event.body),
    );
    if (!body.success) return reply(400, { message: `bad request: ${z.prettifyError(body.error)}` });
    const result = await replayParked(body.data.messageId);
    logger.info('dlq replay from the console', { messageId: body.data.messageId ?? '(all)', replayed: result.replayed });
    return reply(200, result);
  }
  const view = ViewName.safeParse(path.split('/')[3]);
  if (method !== 'GET' || !view.success) return reply(404, { message: 'no such view' });
  const query = (view.data === 'sessions' ? SessionsQuery : ViewQuery).safeParse(event.queryStringParameters ?? {});
  if (!query.success) return reply(400, { message: `bad request: ${z.prettifyError(query.error)}` });
  try {
    return reply(200, await VIEWS[view.data](query.data));
  } catch (err) {
    if (err instanceof BadCursorError) return reply(400, { message: 'bad request: cursor' });
    throw err;
  }
};
