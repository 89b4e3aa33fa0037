/**
 * OCPP 1.6J `$connect` and `$disconnect` (functions/ocpp/ocpp-connect.ts, ocpp-disconnect.ts),
 * independent of the transport: the connection registry only. Apart from ./ocpp.ts (frames, calls,
 * checks) so these two functions bundle neither the OCPP payload validators (~65 KB, compiled JSON
 * schemas) nor the frame handling they never run (issue 9 §4, bench/coldstart.bench.ts).
 */
import { OcppChecksQueue } from '../../events/queues.ts';
import { send } from '../bus/send.ts';
import { config } from '../config.ts';
import { basicCredentials, OCPP_SUBPROTOCOL } from '../domain/ocpp.ts';
import { admitChargePoint, chargePointOfConnection, deleteConnection, putConnection } from '../store/ocpp.ts';

export interface ConnectRequest {
  chargePointId: string | undefined;
  connectionId: string;
  /** the Authorization header (HTTP Basic, OCPP security profile 1) */
  authorization: string | undefined;
  /** the Sec-WebSocket-Protocol header */
  subprotocols: string | undefined;
  now: Date;
}

export type ConnectOutcome = { status: 200; subprotocol: string } | { status: 400 | 401; reason: string };

/** $connect: the subprotocol must offer ocpp1.6; the Basic user must be the charge point id and the password its own. */
export const connectChargePoint = async (r: ConnectRequest): Promise<ConnectOutcome> => {
  const offered = (r.subprotocols ?? '').split(',').map((s) => s.trim());
  if (!offered.includes(OCPP_SUBPROTOCOL)) return { status: 400, reason: `subprotocol ${OCPP_SUBPROTOCOL} not offered` };
  if (!r.chargePointId) return { status: 401, reason: 'no charge point id in the URL' };
  const creds = basicCredentials(r.authorization);
  if (!creds || creds.user !== r.chargePointId) return { status: 401, reason: 'missing or foreign Basic credentials' };
  const admitted = await admitChargePoint(r.chargePointId, creds.password);
  if (!admitted) return { status: 401, reason: 'unknown charge point or wrong password' };
  await putConnection(r.chargePointId, r.connectionId, r.now, admitted.booted);
  return { status: 200, subprotocol: OCPP_SUBPROTOCOL };
};

/** $disconnect: forget the connection; the connectors go offline only if the charge point is still gone after the grace period. */
export const disconnectChargePoint = async (connectionId: string, now: Date): Promise<void> => {
  const cp = await chargePointOfConnection(connectionId);
  if (!cp) return;
  if (await deleteConnection(cp.chargePointId, connectionId))
    await send(
      OcppChecksQueue,
      { kind: 'offline', chargePointId: cp.chargePointId, connectionId, at: now.toISOString() },
      { delaySeconds: config().OCPP_OFFLINE_GRACE_SECONDS },
    );
};
