/** App API: POST /app/v1/sessions — start a session on a partner's connector or one of ours. */
import * as z from 'zod/mini';
import { appHandler } from '../../shared/middleware/app-http.ts';
import { startSession } from '../../shared/services/app-sessions.ts';

const Body = z.object({
  connectorId: z.string().check(z.minLength(1), z.maxLength(32)),
  /** the pile owner's OperatorID (optional: found from our stations and the synced partner catalogs) */
  operatorId: z.optional(z.string().check(z.regex(/^[0-9A-Za-z]{9}$/, 'must be 9 letters or digits'))),
  userId: z.string().check(z.minLength(1), z.maxLength(64)),
});

export const handler = appHandler(
  Body,
  ({ body }) => body ?? {},
  async (input, now) => ({ status: 201, body: await startSession(input, now) }),
);
