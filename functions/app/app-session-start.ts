/** App API: POST /app/v1/sessions — start a session on a partner's connector or one of ours. */
import { z } from 'zod';
import { appHandler } from '../../shared/middleware/app-http.ts';
import { startSession } from '../../shared/services/app-sessions.ts';

const Body = z.object({
  connectorId: z.string().min(1).max(32),
  /** the pile owner's OperatorID (optional: found from our stations and the synced partner catalogs) */
  operatorId: z
    .string()
    .regex(/^[0-9A-Za-z]{9}$/, 'must be 9 letters or digits')
    .optional(),
  userId: z.string().min(1).max(64),
});

export const handler = appHandler(
  Body,
  ({ body }) => body ?? {},
  async (input, now) => ({ status: 201, body: await startSession(input, now) }),
);
