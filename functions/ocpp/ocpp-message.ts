/**
 * OCPP WebSocket `$default`: one OCPP-J frame from a charge point. A CALL is answered in the
 * route response (CALLRESULT or CALLERROR); a CALLRESULT/CALLERROR answers one of our calls.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { logger } from '#powertools';
import { handleFrame } from '../../shared/services/ocpp.ts';

const MessageEvent = z.object({
  body: z.nullish(z.string()),
  isBase64Encoded: z.nullish(z.boolean()),
  requestContext: z.object({ connectionId: z.string().check(z.minLength(1)) }),
});

export const handler = async (event: unknown, _context: Context) => {
  const e = MessageEvent.parse(event);
  logger.resetKeys();
  logger.appendKeys({ connectionId: e.requestContext.connectionId });
  const text = e.isBase64Encoded ? Buffer.from(e.body ?? '', 'base64').toString('utf8') : (e.body ?? '');
  const reply = await handleFrame(e.requestContext.connectionId, text, new Date());
  return reply === undefined ? { statusCode: 200 } : { statusCode: 200, body: reply };
};
