/**
 * The parking service (L1, 停车费减免): when an order finishes at a station with a ParkingPolicy, the
 * waiver (shared/domain/parking.ts) is recorded and sent to the car park's gate; the DiDi parking
 * interfaces read and drive it. It only READS orders: a failing gate never touches an order.
 *
 *   OrderFinished ─rule─▶ parking-waivers (+DLQ, alarm) ─▶ parking-waiver ─▶ gate (HTTP)
 *
 * A gate failure throws: SQS redelivers the message (maxReceiveCount), then parks it in the DLQ
 * (alarm); `evcs dlq replay --queue parking-waivers` sends it again. Every step is idempotent: the
 * waiver is created once per order and the gate takes a waiver once per StartChargeSeq.
 */
import { logger, MetricUnit, metrics } from '#powertools';
import type { DetailOf } from '../../events/define.ts';
import type { OrderFinished } from '../../events/orders.ts';
import { isStationGranted } from '../domain/grants.ts';
import { normalisePlate, policyNote, WaiverStatus, waiverMinutes, waiverStatusFor, waiverTypeOf } from '../domain/parking.ts';
import { applyWaiverAtGate, GatewayError } from '../parking/car-park-gateway.ts';
import { getOrder } from '../store/orders.ts';
import { createWaiver, getWaiver, markWaiverApplied, markWaiverFailed, setWaiverPlate, type Waiver } from '../store/parking.ts';
import type { Partner } from '../store/partners.ts';
import { getStationMeta } from '../store/stations.ts';
import type { RequestData, ResponseInput } from '../tcec/interfaces.ts';
import { Ret, TcecError } from '../tcec/ret.ts';

/** The station's waiver settings, when it has a policy and a gateway. */
const carParkOf = async (stationId: string) => {
  const ext = (await getStationMeta(stationId))?.extensions;
  return ext?.ParkingPolicy && ext.CarParkGatewayUrl ? { policy: ext.ParkingPolicy, gatewayUrl: ext.CarParkGatewayUrl } : undefined;
};

/** Send a waiver with a plate to the gate; records the outcome. Throws GatewayError when the gate failed. */
const sendToGate = async (w: Waiver, gatewayUrl: string, now: Date): Promise<void> => {
  if (!w.plate) return;
  try {
    await applyWaiverAtGate(gatewayUrl, {
      StartChargeSeq: w.StartChargeSeq,
      StationID: w.StationID,
      CarNumber: w.plate,
      FreeMinutes: w.minutes,
    });
  } catch (err) {
    if (err instanceof GatewayError) {
      metrics.addMetric('ParkingGateFailed', MetricUnit.Count, 1);
      await markWaiverFailed(w.StartChargeSeq, err.message);
    }
    throw err;
  }
  await markWaiverApplied(w.StartChargeSeq, now.toISOString());
  metrics.addMetric('ParkingWaiversApplied', MetricUnit.Count, 1);
  logger.info('parking waiver applied at the gate', { minutes: w.minutes });
};

export type WaiverOutcome = 'no-policy' | 'none-earned' | 'awaiting-plate' | 'applied' | 'already-applied';

/** One finished order → its waiver (at most once), sent to the gate when the plate is known. */
export const waiveForFinishedOrder = async (o: DetailOf<typeof OrderFinished>, now: Date): Promise<WaiverOutcome> => {
  logger.appendKeys({ StartChargeSeq: o.StartChargeSeq, StationID: o.StationID, OperatorID: o.OperatorID });
  const site = await carParkOf(o.StationID);
  if (!site) return 'no-policy';
  const minutes = waiverMinutes(site.policy, { charged: o.charged, totalKwh: o.bill.TotalPower });
  let w = await getWaiver(o.StartChargeSeq);
  if (w?.status === WaiverStatus.Applied) return 'already-applied';
  // a plate may have been given while the order ran (a plate-only item); a plate given between the
  // read and the write fails the write, and the next round keeps it
  for (let round = 0; round < 3 && (w === undefined || w.minutes === undefined); round++) {
    const fresh: Waiver = {
      StartChargeSeq: o.StartChargeSeq,
      OperatorID: o.OperatorID,
      StationID: o.StationID,
      ConnectorID: o.ConnectorID,
      minutes,
      ...(w?.plate ? { plate: w.plate } : {}),
      status: waiverStatusFor(minutes, w?.plate, false),
      createdAt: now.toISOString(),
    };
    w = (await createWaiver(fresh, w?.plate)) ? fresh : await getWaiver(o.StartChargeSeq);
  }
  // still racing with plate changes: the message is retried
  if (w?.minutes === undefined) throw new Error('parking waiver: the plate kept changing while the waiver was created');
  if (!w || w.minutes <= 0) return 'none-earned';
  if (!w.plate) return 'awaiting-plate';
  await sendToGate(w, site.gatewayUrl, now);
  return 'applied';
};

/** The caller's order, or Ret 4004 (another partner's order looks exactly like none). */
const ownOrder = async (partner: Partner, seq: string) => {
  const order = await getOrder(seq);
  if (order?.OperatorID !== partner.operatorId) throw new TcecError(Ret.BizError, 'StartChargeSeq: no such order');
  return order;
};

export const parkingFreeInfo = async (
  partner: Partner,
  req: RequestData<'query_parking_free_info'>,
): Promise<ResponseInput<'query_parking_free_info'>> => {
  await ownOrder(partner, req.StartChargeSeq);
  const w = await getWaiver(req.StartChargeSeq);
  return {
    StartChargeSeq: req.StartChargeSeq,
    Duration: w?.minutes ?? 0,
    QrCode: '',
    ...(w?.plate ? { CarNumber: w.plate } : {}),
    WaiverStatus: w?.minutes !== undefined ? w.status : WaiverStatus.None,
  };
};

export const parkingStation = async (
  partner: Partner,
  req: RequestData<'query_parking_station'>,
): Promise<ResponseInput<'query_parking_station'>> => {
  const site = isStationGranted(partner, req.StationID) ? await carParkOf(req.StationID) : undefined;
  return { WaiverType: waiverTypeOf(site?.policy), Duration: site?.policy.CapMinutes ?? 0, Note: policyNote(site?.policy) };
};

type Succ = ResponseInput<'modify_parking_fee_wave_car_number'>;

/**
 * Set the plate of an order's waiver (before or after the order finished). A finished order's
 * waiver waiting for its plate goes to the gate now; a gate failure is answered (SuccStat 1) and
 * the waiver stays "sending" (query_parking_free_wave applies it again).
 */
export const setPlate = async (
  partner: Partner,
  req: { StartChargeSeq: string; CarNumber?: string | undefined },
  now: Date,
): Promise<Succ> => {
  const order = await ownOrder(partner, req.StartChargeSeq);
  logger.appendKeys({ StartChargeSeq: order.StartChargeSeq, StationID: order.StationID });
  const plate = req.CarNumber === undefined ? undefined : normalisePlate(req.CarNumber);
  if (req.CarNumber !== undefined && !plate) throw new TcecError(Ret.BizError, 'CarNumber: not a vehicle plate');
  const site = await carParkOf(order.StationID);
  if (!site) return { SuccStat: 1, FailReasonMsg: 'the station waives no parking fees' };

  let w = await getWaiver(order.StartChargeSeq);
  if (w?.status === WaiverStatus.Applied) {
    return plate && plate !== w.plate
      ? { SuccStat: 1, FailReasonMsg: 'the waiver was applied at the gate already' }
      : { SuccStat: 0, FailReasonMsg: '' };
  }
  if (plate) {
    const status = w?.minutes === undefined ? WaiverStatus.None : waiverStatusFor(w.minutes, plate, false);
    if (!(await setWaiverPlate(order, plate, status))) return { SuccStat: 1, FailReasonMsg: 'the waiver was applied at the gate already' };
    w = await getWaiver(order.StartChargeSeq);
  }
  // the order has not finished yet: the plate waits for it
  if (!w || w.minutes === undefined)
    return plate ? { SuccStat: 0, FailReasonMsg: '' } : { SuccStat: 1, FailReasonMsg: 'the order has not finished' };
  if (w.minutes <= 0) return { SuccStat: 1, FailReasonMsg: 'the order earned no free parking' };
  if (!w.plate) return { SuccStat: 1, FailReasonMsg: 'no CarNumber for this order' };
  try {
    await sendToGate(w, site.gatewayUrl, now);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    logger.warn('parking gate failed', { issue: err.message });
    return { SuccStat: 1, FailReasonMsg: `gate unavailable: ${err.message}` };
  }
  return { SuccStat: 0, FailReasonMsg: '' };
};
