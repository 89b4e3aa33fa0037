/**
 * query_vin_bind / query_vin_unbind (plug-and-charge, msp extension; ./plug-charge.ts starts the
 * sessions): a partner binds its user's car (VIN, plate) — shared/store/vins.ts. Apart from the
 * start path so these two gateway functions bundle neither the charging service nor the push
 * queue (issue 9 §4, bench/coldstart.bench.ts).
 */
import { logger, MetricUnit, metrics } from '#powertools';
import { normalisePlate } from '../domain/parking.ts';
import { maskVin, VinBindFail, VinUnbindFail } from '../domain/vin.ts';
import type { Partner } from '../store/partners.ts';
import { bindVin as bindStored, unbindVin as unbindStored } from '../store/vins.ts';
import type { RequestData, ResponseInput } from '../tcec/interfaces.ts';

export const bindVin = async (
  partner: Partner,
  req: RequestData<'query_vin_bind'>,
  now: Date,
): Promise<ResponseInput<'query_vin_bind'>> => {
  const log = { vin: maskVin(req.Vin) };
  const plate = req.PlateNum === undefined ? undefined : normalisePlate(req.PlateNum);
  if (req.PlateNum !== undefined && !plate) return { Vin: req.Vin, SuccStat: 1, FailReason: VinBindFail.BadPlate };
  const out = await bindStored({
    Vin: req.Vin,
    OperatorID: partner.operatorId,
    ...(plate ? { PlateNum: plate } : {}),
    boundAt: now.toISOString(),
  });
  if (out === 'other') {
    metrics.addMetric('VinBindRefused', MetricUnit.Count, 1);
    logger.info('VIN bound to another partner: refused', log);
    return { Vin: req.Vin, SuccStat: 1, FailReason: VinBindFail.OtherPartner };
  }
  metrics.addMetric('VinBound', MetricUnit.Count, 1);
  logger.info('VIN bound', { ...log, plate: !!plate });
  return { Vin: req.Vin, SuccStat: 0, FailReason: VinBindFail.None };
};

export const unbindVin = async (partner: Partner, req: RequestData<'query_vin_unbind'>): Promise<ResponseInput<'query_vin_unbind'>> => {
  if (!(await unbindStored(req.Vin, partner.operatorId))) return { Vin: req.Vin, SuccStat: 1, FailReason: VinUnbindFail.NotBound };
  logger.info('VIN unbound', { vin: maskVin(req.Vin) });
  return { Vin: req.Vin, SuccStat: 0, FailReason: VinUnbindFail.None };
};
