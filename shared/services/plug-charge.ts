/**
 * Plug-and-charge (即插即充, ours; msp extension behind the profile switch `query_vin_bind`):
 *
 *   query_vin_bind / query_vin_unbind   a partner binds its user's car (VIN, plate) — ./vin-bindings.ts
 *   PileVinReported                     a charger reported a VIN at plug-in (OCPP DataTransfer
 *                                       EVCS/VinReport, or the simulator) → startForVin:
 *     the binding → its partner (still switched on) → a StartChargeSeq allocated under the partner's
 *     OperatorID (shared/domain/vin.ts plugChargeSeq) → THE start path (startCharge: the same order,
 *     billing, timeouts, pushes as any start; the order carries the car) → notification_vin_start_charge
 *     to the partner (the binding pre-authorises the start: the push tells the partner which of its
 *     users' cars the new StartChargeSeq is; it can stop it with query_stop_charge like any session).
 *
 * An unknown VIN (or a partner no longer switched on) starts nothing: the connector stays Preparing,
 * logged with the VIN masked (personal data).
 */
import { logger, MetricUnit, metrics } from '#powertools';
import type { DetailOf } from '../../events/define.ts';
import type { PileVinReported } from '../../events/piles.ts';
import { maskVin, plugChargeSeq } from '../domain/vin.ts';
import { newDelivery } from '../push/messages.ts';
import { enqueueDeliveries } from '../push/queue.ts';
import { getPartner } from '../store/partners.ts';
import { getVinBinding } from '../store/vins.ts';
import { formatDateTime } from '../tcec/time.ts';
import { startCharge } from './charging.ts';
import { extensionEnabled } from './extensions.ts';

/** the profile switch of the extension: a partner whose profile lists it may bind, and its bound cars start */
const SWITCH = 'query_vin_bind';

export type PlugChargeOutcome = 'started' | 'unknown-vin' | 'switched-off' | 'refused';

/** A charger reported a VIN at plug-in: start under the partner that bound it (see the header). */
export const startForVin = async (d: DetailOf<typeof PileVinReported>, now: Date): Promise<PlugChargeOutcome> => {
  logger.appendKeys({ ConnectorID: d.ConnectorID, vin: maskVin(d.Vin) });
  const binding = await getVinBinding(d.Vin);
  const partner = binding ? await getPartner(binding.OperatorID) : undefined;
  if (!binding || !partner) {
    metrics.addMetric('PlugChargeUnknownVin', MetricUnit.Count, 1);
    logger.info('plug-and-charge: VIN not bound by any partner: no session, the connector stays Preparing');
    return 'unknown-vin';
  }
  logger.appendKeys({ OperatorID: partner.operatorId });
  if (!extensionEnabled(partner, SWITCH)) {
    metrics.addMetric('PlugChargeSwitchedOff', MetricUnit.Count, 1);
    logger.info('plug-and-charge: the binding partner is no longer switched on: no session');
    return 'switched-off';
  }
  const reportedAt = new Date(d.reportedAt);
  const StartChargeSeq = plugChargeSeq(partner.operatorId, d.ConnectorID, d.Vin, reportedAt);
  logger.appendKeys({ StartChargeSeq });
  const car = { Vin: d.Vin, ...(binding.PlateNum ? { PlateNum: binding.PlateNum } : {}) };
  const answer = await startCharge(partner, { StartChargeSeq, ConnectorID: d.ConnectorID }, now, { car });
  if (answer.SuccStat !== 0) {
    // remembered as a refusal under the sequence (a redelivery gets the same answer): the partner started nothing, nothing to tell
    metrics.addMetric('PlugChargeRefused', MetricUnit.Count, 1);
    logger.info('plug-and-charge: start refused', { FailReason: answer.FailReason });
    return 'refused';
  }
  // after the start command left: a crash before this line is redelivered, the start answers the same, the push is sent then
  await enqueueDeliveries([
    newDelivery({
      id: `notification_vin_start_charge:${partner.operatorId}:${StartChargeSeq}`,
      partner: partner.operatorId,
      iface: 'notification_vin_start_charge',
      data: { StartChargeSeq, ConnectorID: d.ConnectorID, ...car, PlugTime: formatDateTime(reportedAt) },
      createdAt: now.getTime(),
    }),
  ]);
  metrics.addMetric('PlugChargeStarts', MetricUnit.Count, 1);
  logger.info('plug-and-charge: session started under the binding partner');
  return 'started';
};
