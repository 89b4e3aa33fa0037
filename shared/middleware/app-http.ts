/**
 * The app API's request pipeline (`/app/v1`, JSON over HTTPS — not the T/CEC envelope): one middy
 * wrapper for every app route.
 *
 *   caller authenticated by API Gateway (401 otherwise) → zod validation of the input (400 naming
 *   the field) → business function → JSON. Errors are `{ "error": { "code", "message" } }`:
 *   400 bad_request, 401 unauthorized, 404/409/502 from the business (AppError), 500 internal
 *   (logged once with its cause; the message never carries it).
 *
 * Authentication happens before the Lambda: in AWS an IAM (SigV4) authorizer on every app route
 * (infra/stack.ts), locally the runtime's bearer key (infra/local/http.ts). Both leave their mark in
 * `requestContext.authorizer`; a request without one (a route wired without its authorizer) is
 * refused here too — never served anonymously.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { logger } from '#powertools';
import { AppError } from '../domain/app-session.ts';

type Result = APIGatewayProxyStructuredResultV2;

const json = (statusCode: number, body: unknown): Result => ({
  statusCode,
  headers: { 'content-type': 'application/json;charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

const failure = (status: number, code: string, message: string): Result => json(status, { error: { code, message } });

/** The raw input of a request: query string, path parameters and the JSON body (400 when the body is not JSON). */
export interface RawInput {
  query: Record<string, string | undefined>;
  path: Record<string, string | undefined>;
  body: unknown;
}

const authenticated = (event: APIGatewayProxyEventV2): boolean => {
  const a = (event.requestContext as { authorizer?: Record<string, unknown> }).authorizer;
  return !!a && (a.iam !== undefined || a.lambda !== undefined || a.jwt !== undefined);
};

const pathParams = (event: APIGatewayProxyEventV2): Record<string, string | undefined> => {
  if (event.pathParameters) return event.pathParameters;
  // `/app/v1/sessions/<id>` when the event carries no parsed parameters
  const m = /^\/app\/v1\/sessions\/([^/]+)$/.exec(event.rawPath ?? '');
  return m?.[1] ? { id: decodeURIComponent(m[1]) } : {};
};

/**
 * An app route: `pick` selects the input from the request, `schema` validates it, `run` answers
 * with an HTTP status and a JSON body.
 */
export const appHandler = <S extends z.core.$ZodType>(
  schema: S,
  pick: (raw: RawInput) => unknown,
  run: (input: z.infer<S>, now: Date) => Promise<{ status: number; body: unknown }>,
) =>
  middy<APIGatewayProxyEventV2, Result, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      logger.appendKeys({ route: event.routeKey, requestId: event.requestContext?.requestId });
      if (!authenticated(event)) return failure(401, 'unauthorized', 'authentication required');
      let body: unknown;
      if (event.body) {
        try {
          body = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body);
        } catch {
          return failure(400, 'bad_request', 'the body is not JSON');
        }
      }
      const parsed = z.safeParse(schema, pick({ query: event.queryStringParameters ?? {}, path: pathParams(event), body }));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join('.') || 'input';
        return failure(400, 'bad_request', `${field}: ${issue?.message ?? 'invalid'}`);
      }
      try {
        const r = await run(parsed.data, new Date());
        return json(r.status, r.body);
      } catch (err) {
        if (err instanceof AppError) {
          logger.info('app request refused', { status: err.status, code: err.code });
          return failure(err.status, err.code, err.message);
        }
        logger.error('app request failed', { error: err as Error });
        return failure(500, 'internal', 'internal error');
      }
    });

/**
 * `GET|DELETE /app/v1/sessions/{id}?userId=…`: `{id}` a StartChargeSeq (27 letters or digits), and
 * the user the app acts for — only the user who started the session sees or stops it (another
 * user's session is 404, like one that does not exist). In the query string for both methods: a
 * DELETE body is not something every HTTP client sends.
 */
export const SessionRequest = z.object({
  id: z.string().check(z.regex(/^[0-9A-Za-z]{27}$/, 'must be a session id (27 letters or digits)')),
  userId: z.string().check(z.minLength(1), z.maxLength(64)),
});

/** picks SessionRequest's input from the path and the query string */
export const sessionInput = (raw: RawInput) => ({ id: raw.path.id, userId: raw.query.userId });
