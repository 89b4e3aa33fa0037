/**
 * OCPP WebSocket `$connect`: the charge point id (`/ocpp/{chargePointId}`, handed over as the
 * `chargePointId` query parameter), subprotocol ocpp1.6, HTTP Basic auth (security profile 1).
 * 401 for an unknown charge point or a wrong password; the answer names the accepted subprotocol.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { logger, MetricUnit, metrics } from '#powertools';
import { connectChargePoint } from '../../shared/services/ocpp-connections.ts';

const ConnectEvent = z.object({
  headers: z.nullish(z.record(z.string(), z.string())),
  queryStringParameters: z.nullish(z.record(z.string(), z.string())),
  requestContext: z.object({ connectionId: z.string().check(z.minLength(1)) }),
});

const header = (headers: Record<string, string> | null | undefined, name: string): string | undefined =>
  Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];

export const handler = async (event: unknown, _context: Context) => {
  const e = ConnectEvent.safeParse(event);
  if (!e.success) return { statusCode: 400 };
  const chargePointId = e.data.queryStringParameters?.chargePointId;
  logger.appendKeys({ chargePoint: chargePointId, connectionId: e.data.requestContext.connectionId });
  const out = await connectChargePoint({
    chargePointId,
    connectionId: e.data.requestContext.connectionId,
    authorization: header(e.data.headers, 'authorization'),
    subprotocols: header(e.data.headers, 'sec-websocket-protocol'),
    now: new Date(),
  });
  if (out.status !== 200) {
    metrics.addMetric('OcppConnectRejected', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    logger.warn('charge point refused at connect', { status: out.status, reason: out.reason });
    return { statusCode: out.status };
  }
  logger.info('charge point connected');
  return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': out.subprotocol } };
};
