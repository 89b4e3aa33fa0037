/** OCPP WebSocket `$disconnect`: the connection is forgotten; the connectors go offline after the grace period unless it reconnects. */
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { logger } from '#powertools';
import { disconnectChargePoint } from '../../shared/services/ocpp-connections.ts';

const DisconnectEvent = z.object({ requestContext: z.object({ connectionId: z.string().check(z.minLength(1)) }) });

export const handler = async (event: unknown, _context: Context) => {
  const e = DisconnectEvent.parse(event);
  logger.appendKeys({ connectionId: e.requestContext.connectionId });
  await disconnectChargePoint(e.requestContext.connectionId, new Date());
  return { statusCode: 200 };
};
