/**
 * The OCPP 1.6J gateway, independent of the transport: what `$default` does (functions/ocpp/*), the
 * calls we send to charge points (the pile gateway, the operator CLI) and the delayed checks
 * (disconnect grace, call timeouts). `$connect` and `$disconnect` are in ./ocpp-connections.ts. Everything a charge
 * point says about connectors and sessions enters the platform through `emitPileEvents`.
 */
import { randomUUID } from 'node:crypto';
import { logger, MetricUnit, metrics } from '#powertools';
import { OcppChecksQueue } from '../../events/queues.ts';
import { postToConnection } from '../bus/connections.ts';
import { send } from '../bus/send.ts';
import { config } from '../config.ts';
import { meteringConfiguration } from '../domain/metering.ts';
import {
  BEFORE_BOOT,
  CONFIGURE_ACTION,
  callFrame,
  connectorIdAt,
  connectorStatusOf,
  errorFrame,
  type Frame,
  idTagOf,
  isIncomingAction,
  type OcppErrorCode,
  type OcppStatus,
  type OutgoingAction,
  parseFrame,
  readingOf,
  resultFrame,
  type SampledValue,
  stopCauseOf,
  transactionIdOf,
} from '../domain/ocpp.ts';
import { maskVin, parseVinReport, VIN_REPORT } from '../domain/vin.ts';
import { checkAnswer, checkCall, checkOurCall } from '../ocpp/schemas.ts';
import { emitPileEvents, type PileEvent } from '../piles/emit.ts';
import {
  bindTransaction,
  type ChargePoint,
  chargePointOfConnection,
  getChargePoint,
  getConnection,
  getIssuedTag,
  getTransaction,
  lastLostConnection,
  markBooted,
  type PendingCall,
  putCallAnswer,
  putIssuedTag,
  putPendingCall,
  takePendingCall,
} from '../store/ocpp.ts';
import { type ReservationRefusal, withdrawRefusedReservation } from './reservation.ts';

// ── after a $disconnect (the connection itself: ./ocpp-connections.ts) ─────────────────────────

/**
 * The grace period of the disconnect of `connectionId` is over: still no connection, and no later
 * disconnect (whose own grace period runs) → every connector of the charge point is offline (0).
 */
export const offlineIfStillGone = async (chargePointId: string, connectionId: string, at: Date): Promise<boolean> => {
  if (await getConnection(chargePointId)) return false;
  if ((await lastLostConnection(chargePointId)) !== connectionId) return false;
  const cp = await getChargePoint(chargePointId);
  if (!cp) return false;
  await emitPileEvents(
    cp.connectors.map((ConnectorID) => ({
      type: 'PileStatusChanged' as const,
      detail: {
        ConnectorID,
        ...stationOf(cp),
        status: 0 as const,
        parkStatus: 0 as const,
        lockStatus: 0 as const,
        observedAt: at.toISOString(),
        seq: 0,
      },
    })),
  );
  logger.info('charge point offline', { chargePoint: chargePointId });
  return true;
};

/** a status report names the charge point's station when the registry knows it (the ingest then skips its lookup) */
const stationOf = (cp: ChargePoint): { StationID?: string } => (cp.stationId ? { StationID: cp.stationId } : {});

// ── $default: frames from a charge point ─────────────────────────────────────────────────────

/** One text message from a charge point → the frame to send back (a CALLRESULT or CALLERROR), if any. */
export const handleFrame = async (connectionId: string, text: string, now: Date): Promise<string | undefined> => {
  const frame = parseFrame(text);
  if (frame.kind === 'malformed') {
    logger.warn('OCPP frame malformed', { connectionId, reason: frame.reason });
    return errorFrame(frame.id ?? '-1', 'FormationViolation', frame.reason);
  }
  const conn = await chargePointOfConnection(connectionId);
  if (!conn) {
    logger.warn('OCPP frame on an unknown connection', { connectionId });
    return frame.kind === 'call' ? errorFrame(frame.id, 'SecurityError', 'connection not registered') : undefined;
  }
  if (frame.kind !== 'call') {
    await onAnswer(conn.chargePointId, frame);
    return undefined;
  }
  const { id, action, payload } = frame;
  if (!isIncomingAction(action)) return errorFrame(id, 'NotImplemented', `action ${action} is not implemented`);
  const problem = checkCall(action, payload);
  if (problem) {
    logger.warn('OCPP payload invalid', { chargePoint: conn.chargePointId, action, code: problem.code });
    return errorFrame(id, problem.code, problem.message);
  }
  if (!conn.booted && !BEFORE_BOOT.has(action))
    return errorFrame(id, 'SecurityError', 'not accepted yet: send BootNotification first (OCPP 1.6 §4.2)');
  const cp = await getChargePoint(conn.chargePointId);
  if (!cp) return errorFrame(id, 'SecurityError', 'charge point no longer registered');
  try {
    return resultFrame(id, await incoming(cp, { connectionId, booted: conn.booted }, action, payload, now));
  } catch (err) {
    if (err instanceof OcppCallError) {
      logger.warn('OCPP call refused', { chargePoint: cp.chargePointId, action, code: err.code });
      return errorFrame(id, err.code, err.message);
    }
    logger.error('OCPP call failed', { chargePoint: cp.chargePointId, action, error: err as Error });
    return errorFrame(id, 'InternalError', 'the central system could not process the call');
  }
};

const isoOr = (t: unknown, now: Date): string =>
  typeof t === 'string' && !Number.isNaN(Date.parse(t)) ? new Date(t).toISOString() : now.toISOString();

type Payload = Record<string, unknown>;

/** A CALLERROR the call handler turns into its error frame (a DataTransfer whose `data` is not what its messageId says). */
class OcppCallError extends Error {
  constructor(
    readonly code: OcppErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * DataTransfer EVCS/VinReport: the VIN of the car plugged into a connector. Another messageId of
 * our vendor → UnknownMessageId; `data` not the documented JSON → CALLERROR FormationViolation; a
 * VIN that is not ISO 3779 → CALLERROR PropertyConstraintViolation; a connector this charge point
 * does not have → Rejected. Accepted: the report entered the platform (PileVinReported); whether a
 * partner bound the VIN is decided by the plug-and-charge function, not here (the L0 gateway reads
 * no extension's data): an unknown VIN starts nothing and the connector stays Preparing.
 */
const vinReport = async (cp: ChargePoint, p: Payload, now: Date): Promise<object> => {
  if (p.messageId !== VIN_REPORT.messageId) return { status: 'UnknownMessageId' };
  const r = parseVinReport(p.data);
  if (!r.ok) throw new OcppCallError(r.problem.code, r.problem.message);
  const ConnectorID = connectorIdAt(cp.connectors, r.value.connectorId);
  const log = { chargePoint: cp.chargePointId, connectorId: r.value.connectorId, vin: maskVin(r.value.vin) };
  if (!ConnectorID) {
    logger.warn('VinReport for an unknown connector: rejected', log);
    return { status: 'Rejected' };
  }
  await emitPileEvents([{ type: 'PileVinReported', detail: { ConnectorID, Vin: r.value.vin, reportedAt: now.toISOString() } }]);
  metrics.addMetric('OcppVinReports', MetricUnit.Count, 1);
  logger.info('VIN reported at plug-in', { ...log, ConnectorID });
  return { status: 'Accepted' };
};

const incoming = async (
  cp: ChargePoint,
  conn: { connectionId: string; booted: boolean },
  action: string,
  p: Payload,
  now: Date,
): Promise<object> => {
  const log = { chargePoint: cp.chargePointId, action };
  switch (action) {
    case 'BootNotification': {
      await markBooted(cp.chargePointId, conn.connectionId, now, conn.booted);
      logger.info('charge point booted', { ...log, vendor: p.chargePointVendor, model: p.chargePointModel });
      // its metering is set once the boot is answered and its statuses are in (configureDelay);
      // best effort: a charge point on its own metering still works, so a failed send never refuses a boot
      await send(
        OcppChecksQueue,
        { kind: 'configure', chargePointId: cp.chargePointId },
        { delaySeconds: configureDelay(cp.chargePointId) },
      ).catch((err: unknown) => logger.warn('metering not set: the configure check was not queued', { ...log, error: err as Error }));
      return { status: 'Accepted', currentTime: now.toISOString(), interval: config().OCPP_HEARTBEAT_SECONDS };
    }
    case 'Heartbeat':
      return { currentTime: now.toISOString() };
    case 'StatusNotification': {
      const status = connectorStatusOf(p.status as OcppStatus);
      const n = Number(p.connectorId);
      // connector 0 is the charge point itself: only a fault or unavailability says something about every connector
      const targets = n === 0 ? (status === 255 ? cp.connectors : []) : [connectorIdAt(cp.connectors, n)].filter((c) => c !== undefined);
      if (n !== 0 && targets.length === 0) logger.warn('StatusNotification for an unknown connector', { ...log, connectorId: n });
      const observedAt = isoOr(p.timestamp, now);
      await emitPileEvents(
        targets.map((ConnectorID) => ({
          type: 'PileStatusChanged' as const,
          detail: {
            ConnectorID,
            ...stationOf(cp),
            status,
            parkStatus: 0 as const,
            lockStatus: 0 as const,
            observedAt,
            seq: now.getTime() % 1000,
          },
        })),
      );
      return {};
    }
    case 'Authorize': {
      const tag = await getIssuedTag(String(p.idTag));
      return { idTagInfo: { status: tag && tag.chargePointId === cp.chargePointId ? 'Accepted' : 'Invalid' } };
    }
    case 'StartTransaction':
      return startTransaction(cp, p, now);
    case 'MeterValues':
      await meterValues(cp, p, now);
      return {};
    case 'StopTransaction':
      await stopTransaction(cp, p, now);
      return { idTagInfo: { status: 'Accepted' } };
    case 'DataTransfer': {
      // plug-and-charge (ours): the car's VIN at plug-in (shared/domain/vin.ts, README "Plug-and-charge")
      if (p.vendorId === VIN_REPORT.vendorId) return vinReport(cp, p, now);
      const vendors = config()
        .OCPP_DATA_TRANSFER_VENDORS.split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      return { status: vendors.includes(String(p.vendorId)) ? 'Accepted' : 'UnknownVendorId' };
    }
    default: // DiagnosticsStatusNotification, FirmwareStatusNotification: acknowledged
      logger.info('charge point notification', { ...log, status: p.status });
      return {};
  }
};

const startTransaction = async (cp: ChargePoint, p: Payload, now: Date): Promise<object> => {
  const idTag = String(p.idTag);
  const tag = await getIssuedTag(idTag);
  const ConnectorID = connectorIdAt(cp.connectors, Number(p.connectorId));
  if (!tag || tag.chargePointId !== cp.chargePointId || ConnectorID !== tag.ConnectorID) {
    logger.warn('StartTransaction with an idTag we did not issue for this connector', {
      chargePoint: cp.chargePointId,
      connectorId: p.connectorId,
    });
    return {
      transactionId: transactionIdOf(`local:${cp.chargePointId}:${idTag}:${String(p.timestamp)}`),
      idTagInfo: { status: 'Invalid' },
    };
  }
  const transactionId = transactionIdOf(tag.StartChargeSeq);
  const at = isoOr(p.timestamp, now);
  const bound = await bindTransaction(
    cp.chargePointId,
    transactionId,
    { StartChargeSeq: tag.StartChargeSeq, ConnectorID, meterStartWh: Number(p.meterStart) },
    now,
  );
  // a retried StartTransaction (its CALLRESULT was lost) gets the same id and starts nothing twice
  if (bound.created)
    await emitPileEvents([
      {
        type: 'PileSessionStarted',
        detail: { StartChargeSeq: tag.StartChargeSeq, ConnectorID, accepted: true, at, meterStartWh: bound.tx.meterStartWh },
      },
    ]);
  logger.info('transaction started', {
    chargePoint: cp.chargePointId,
    StartChargeSeq: tag.StartChargeSeq,
    ConnectorID,
    transactionId,
    retry: !bound.created,
  });
  return { transactionId, idTagInfo: { status: 'Accepted' } };
};

const meterValues = async (cp: ChargePoint, p: Payload, now: Date): Promise<void> => {
  if (typeof p.transactionId !== 'number') return; // readings outside a transaction bill nothing
  const tx = await getTransaction(cp.chargePointId, p.transactionId);
  if (!tx) {
    logger.warn('MeterValues for an unknown transaction', { chargePoint: cp.chargePointId, transactionId: p.transactionId });
    return;
  }
  const events: PileEvent[] = [];
  for (const mv of (p.meterValue as { timestamp: string; sampledValue: SampledValue[] }[]) ?? []) {
    const r = readingOf(mv.sampledValue);
    if (r.registerWh === undefined) continue;
    events.push({
      type: 'PileMeterValues',
      detail: {
        StartChargeSeq: tx.StartChargeSeq,
        ConnectorID: tx.ConnectorID,
        at: isoOr(mv.timestamp, now),
        energyWh: Math.max(0, r.registerWh - tx.meterStartWh),
        powerKw: Math.max(0, r.powerKw ?? 0),
        currentA: r.currentA ?? 0,
        voltageA: r.voltageA ?? 0,
        ...(r.currentB !== undefined ? { currentB: r.currentB } : {}),
        ...(r.currentC !== undefined ? { currentC: r.currentC } : {}),
        ...(r.voltageB !== undefined ? { voltageB: r.voltageB } : {}),
        ...(r.voltageC !== undefined ? { voltageC: r.voltageC } : {}),
        soc: r.soc ?? 0,
      },
    });
  }
  await emitPileEvents(events);
};

const stopTransaction = async (cp: ChargePoint, p: Payload, now: Date): Promise<void> => {
  const transactionId = Number(p.transactionId);
  const tx = await getTransaction(cp.chargePointId, transactionId);
  if (!tx) {
    logger.warn('StopTransaction for an unknown transaction: acknowledged', { chargePoint: cp.chargePointId, transactionId });
    return;
  }
  const cause = stopCauseOf(typeof p.reason === 'string' ? p.reason : undefined);
  await emitPileEvents([
    {
      type: 'PileSessionStopped',
      detail: {
        StartChargeSeq: tx.StartChargeSeq,
        ConnectorID: tx.ConnectorID,
        cause,
        at: isoOr(p.timestamp, now),
        energyWh: Math.max(0, Number(p.meterStop) - tx.meterStartWh),
      },
    },
  ]);
  logger.info('transaction stopped', {
    chargePoint: cp.chargePointId,
    StartChargeSeq: tx.StartChargeSeq,
    ConnectorID: tx.ConnectorID,
    transactionId,
    cause,
  });
};

// ── the platform sets the metering (issue 9 §2) ──────────────────────────────────────────────

/**
 * The configure check waits OCPP_CONFIGURE_AFTER_SECONDS after the boot (its answer leaves first; a
 * fleet's boot statuses are ingested first), plus up to half of that, spread by charge point id.
 */
const configureDelay = (chargePointId: string): number => {
  const after = config().OCPP_CONFIGURE_AFTER_SECONDS;
  let h = 0;
  for (const c of chargePointId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return after + (h % (Math.floor(after / 2) + 1));
};

/** the message ids of the metering calls: `cfg-<key index>-…` (≤ 36 characters, OCPP-J) */
const CONFIG_CALL = /^cfg-(\d)-/;

const meteringKeys = () => {
  const { OCPP_METER_SAMPLE_SECONDS, OCPP_CLOCK_ALIGNED_SECONDS } = config();
  return meteringConfiguration({ sampleSeconds: OCPP_METER_SAMPLE_SECONDS, alignedSeconds: OCPP_CLOCK_ALIGNED_SECONDS });
};

/**
 * After an accepted boot: ChangeConfiguration of the metering keys (shared/domain/metering.ts), as a
 * CSMS does — readings every OCPP_METER_SAMPLE_SECONDS of a transaction (one per charge-status push)
 * and on every OCPP_CLOCK_ALIGNED_SECONDS boundary (every tariff-period start). Fire and log: the
 * calls are not recorded as pending (a boot of every charger at once would otherwise write, time out
 * and delete thousands of call items); the key travels in the message id and the answer is only
 * logged (onAnswer): a charger that rejects a key, or never answers, keeps its own metering —
 * everything still works, it costs more. The keys persist on the charger, so a reboot's repeat
 * changes nothing. A charger gone again before this runs is configured at its next boot.
 */
export const configureMetering = async (chargePointId: string): Promise<number> => {
  const conn = await getConnection(chargePointId);
  if (!conn) {
    logger.info('metering not set: the charge point is not connected (set at its next boot)', { chargePoint: chargePointId });
    return 0;
  }
  let sent = 0;
  for (const [i, { key, value }] of meteringKeys().entries()) {
    const messageId = `cfg-${i}-${randomUUID().slice(0, 30)}`;
    if (!(await postToConnection(conn.connectionId, callFrame(messageId, CONFIGURE_ACTION, { key, value })))) break;
    sent += 1;
  }
  logger.info('metering configuration sent', { chargePoint: chargePointId, calls: sent });
  return sent;
};

/** The answer to one of the metering calls: checked against its schema and logged (a refusal as a warning); nothing is stored. */
const onMeteringAnswer = (chargePointId: string, frame: Extract<Frame, { kind: 'result' | 'error' }>, index: number): void => {
  const key = meteringKeys()[index]?.key;
  const problem = frame.kind === 'result' ? checkAnswer(CONFIGURE_ACTION, frame.payload) : undefined;
  if (problem) {
    logger.warn('charge point answered ChangeConfiguration off its schema: its metering is unknown', {
      chargePoint: chargePointId,
      key,
      code: problem.code,
      problem: problem.message,
    });
    return;
  }
  const status = frame.kind === 'result' ? frame.payload.status : frame.code;
  if (status === 'Accepted') logger.info('charge point metering set', { chargePoint: chargePointId, key });
  else
    logger.warn('charge point keeps its own metering: sessions still bill and push, at its interval and cost', {
      chargePoint: chargePointId,
      key,
      status,
    });
};

// ── platform → charge point ──────────────────────────────────────────────────────────────────

export type CallOutcome = { sent: true; messageId: string } | { sent: false; reason: 'offline' | 'invalid'; message?: string };

/**
 * Sends a CALL to a connected charge point and records it as pending (answered by message id in
 * $default, or timed out by the delayed check after OCPP_CALL_TIMEOUT_SECONDS).
 */
export const sendCall = async (
  chargePointId: string,
  action: OutgoingAction,
  payload: Payload,
  about: { StartChargeSeq?: string; ConnectorID?: string; ReserveSeq?: string } = {},
  now = new Date(),
): Promise<CallOutcome> => {
  const problem = checkOurCall(action, payload);
  if (problem) return { sent: false, reason: 'invalid', message: problem.message };
  const conn = await getConnection(chargePointId);
  if (!conn) return { sent: false, reason: 'offline' };
  const messageId = randomUUID();
  const timeout = config().OCPP_CALL_TIMEOUT_SECONDS;
  await putPendingCall({ messageId, chargePointId, action, ...about, expiresAt: now.getTime() + timeout * 1000 }, now);
  if (!(await postToConnection(conn.connectionId, callFrame(messageId, action, payload)))) {
    await takePendingCall(messageId);
    return { sent: false, reason: 'offline' };
  }
  await send(OcppChecksQueue, { kind: 'call-timeout', messageId }, { delaySeconds: timeout });
  logger.info('OCPP call sent', { chargePoint: chargePointId, action, messageId, ...about });
  return { sent: true, messageId };
};

/** A CALLRESULT or CALLERROR for one of our calls. */
const onAnswer = async (chargePointId: string, frame: Extract<Frame, { kind: 'result' | 'error' }>): Promise<void> => {
  const metering = CONFIG_CALL.exec(frame.id);
  if (metering) return onMeteringAnswer(chargePointId, frame, Number(metering[1]));
  const call = await takePendingCall(frame.id);
  if (!call || call.chargePointId !== chargePointId) {
    logger.warn('OCPP answer to no pending call (late, duplicate or foreign)', { chargePoint: chargePointId, messageId: frame.id });
    return;
  }
  await putCallAnswer(
    frame.id,
    frame.kind === 'result'
      ? { kind: 'result', payload: frame.payload }
      : { kind: 'error', code: frame.code, description: frame.description },
    new Date(),
  );
  let accepted = false;
  if (frame.kind === 'result') {
    const problem = checkAnswer(call.action, frame.payload);
    accepted = !problem && frame.payload.status === 'Accepted';
    logger.info('OCPP call answered', {
      chargePoint: chargePointId,
      action: call.action,
      messageId: frame.id,
      status: frame.payload.status,
      StartChargeSeq: call.StartChargeSeq,
      ConnectorID: call.ConnectorID,
    });
  } else
    logger.warn('OCPP call failed on the charge point', {
      chargePoint: chargePointId,
      action: call.action,
      code: frame.code,
      StartChargeSeq: call.StartChargeSeq,
      ConnectorID: call.ConnectorID,
    });
  if (call.action === 'RemoteStartTransaction' && !accepted) await refuseStart(call, 'refused');
  if (call.action === 'ReserveNow' && !accepted) await refuseReservation(call, reservationRefusal(frame), new Date());
  // a CancelReservation the charger refuses (Rejected: it holds no such reservation) changes nothing: logged above
};

/** how the charger refused a ReserveNow: its ReserveNow.conf status, else `error` (a CALLERROR or an answer off the schema) */
const reservationRefusal = (frame: Extract<Frame, { kind: 'result' | 'error' }>): ReservationRefusal => {
  const status = frame.kind === 'result' ? frame.payload.status : undefined;
  return status === 'Faulted' || status === 'Occupied' || status === 'Rejected' || status === 'Unavailable' ? status : 'error';
};

/**
 * A ReserveNow the charger did not take (refused, or never answered): the reservation is withdrawn
 * and its hold on the connector dropped (shared/services/reservation.ts, one conditional
 * transaction), so the connector is not held for a reservation the charger does not hold. If that
 * fails, the pending call is put back and the error thrown: the call's delayed timeout check (still
 * queued, or this one redelivered) takes it again and retries the withdrawal.
 */
const refuseReservation = async (call: PendingCall, reason: ReservationRefusal, now: Date): Promise<void> => {
  if (!call.ReserveSeq || !call.ConnectorID) return;
  metrics.addMetric('OcppReservationsRefused', MetricUnit.Count, 1);
  try {
    await withdrawRefusedReservation({ ReserveSeq: call.ReserveSeq, ConnectorID: call.ConnectorID, reason }, now);
  } catch (err) {
    await putPendingCall(call, now);
    throw err;
  }
};

const refuseStart = async (call: PendingCall, reason: 'refused' | 'offline'): Promise<void> => {
  if (!call.StartChargeSeq || !call.ConnectorID) return;
  await emitPileEvents([
    {
      type: 'PileSessionStarted',
      detail: { StartChargeSeq: call.StartChargeSeq, ConnectorID: call.ConnectorID, accepted: false, reason, at: new Date().toISOString() },
    },
  ]);
};

/** The delayed check of one call: still pending → it timed out (a RemoteStart that timed out refuses the start). */
export const timeOutCall = async (messageId: string): Promise<boolean> => {
  const call = await takePendingCall(messageId);
  if (!call) return false;
  metrics.addMetric('OcppCallTimeouts', MetricUnit.Count, 1);
  logger.warn('OCPP call timed out', {
    chargePoint: call.chargePointId,
    action: call.action,
    messageId,
    StartChargeSeq: call.StartChargeSeq,
    ReserveSeq: call.ReserveSeq,
  });
  if (call.action === 'RemoteStartTransaction') await refuseStart(call, 'offline');
  if (call.action === 'ReserveNow') await refuseReservation(call, 'timeout', new Date());
  return true;
};

// ── pile commands (PileCommandRequested) ─────────────────────────────────────────────────────

/**
 * A start or stop for a connector → RemoteStartTransaction (idTag derived from the order) or
 * RemoteStopTransaction (the order's transactionId). `offline` when the charge point is not
 * connected over OCPP (or not registered): the caller decides what that means.
 */
export const commandPile = async (
  cmd: { command: 'start' | 'stop'; StartChargeSeq: string; ConnectorID: string; ReserveSeq?: string | undefined },
  chargePoint: ChargePoint,
  now = new Date(),
): Promise<CallOutcome> => {
  const about = { StartChargeSeq: cmd.StartChargeSeq, ConnectorID: cmd.ConnectorID };
  if (cmd.command === 'stop')
    return sendCall(chargePoint.chargePointId, 'RemoteStopTransaction', { transactionId: transactionIdOf(cmd.StartChargeSeq) }, about, now);
  // on a reservation, the idTag the charge point holds the connector for (reservePile)
  const idTag = idTagOf(cmd.ReserveSeq ?? cmd.StartChargeSeq);
  await putIssuedTag(idTag, { ...about, chargePointId: chargePoint.chargePointId }, now);
  const connectorId = chargePoint.connectors.indexOf(cmd.ConnectorID) + 1;
  return sendCall(chargePoint.chargePointId, 'RemoteStartTransaction', { connectorId, idTag }, about, now);
};

/**
 * A reservation (extension) → ReserveNow (connectorId, expiryDate, idTag, reservationId) or
 * CancelReservation (reservationId). The reservationId is derived from the ReserveSeq (31 bits,
 * like a transactionId), so a retried command and the cancel need no lookup. The idTag is the one a
 * start on this reservation uses (the platform decides who may start: only the reserving partner),
 * so the charge point lets exactly that start through. The charge point reports Status Reserved
 * (T/CEC 4) itself and frees the connector at expiryDate.
 */
export const reservePile = async (
  cmd: { command: 'reserve' | 'cancel'; ReserveSeq: string; ConnectorID: string; expiresAt?: string | undefined },
  chargePoint: ChargePoint,
  now = new Date(),
): Promise<CallOutcome> => {
  const about = { ConnectorID: cmd.ConnectorID, ReserveSeq: cmd.ReserveSeq };
  const reservationId = transactionIdOf(cmd.ReserveSeq);
  if (cmd.command === 'cancel') return sendCall(chargePoint.chargePointId, 'CancelReservation', { reservationId }, about, now);
  const connectorId = chargePoint.connectors.indexOf(cmd.ConnectorID) + 1;
  const expiryDate = cmd.expiresAt ?? now.toISOString();
  return sendCall(
    chargePoint.chargePointId,
    'ReserveNow',
    { connectorId, expiryDate, idTag: idTagOf(cmd.ReserveSeq), reservationId },
    about,
    now,
  );
};
