/**
 * Who is exported when: every supervision partner (kind `supervision`, with `areaCodes`) gets the
 * last complete China-time hour every hour and the previous day every night (the topology's
 * schedules, infra/topology/dxp.ts); the operator CLI runs one period or a range now. The nightly
 * day is fanned out: one `dxp-export-parts` message per hour of the day and partner, each part a
 * Lambda of its own (a day of 20 M samples takes longer than one Lambda's 15 minutes), the last
 * part to finish writes the day's manifest (shared/services/dxp-export.ts). One partner's
 * failure does not skip the others (each is tried; the run fails after all were tried, so the
 * schedule's retry and DLQ see it).
 */
import { logger } from '#powertools';
import { type DxpExportPartMessage, DxpExportPartsQueue } from '../../events/queues.ts';
import { sendBatch } from '../bus/send.ts';
import { config } from '../config.ts';
import { daysBetween, lastCompletePeriod, type Period, parsePeriod } from '../domain/dxp-export.ts';
import { profileOf, supervisionRegion } from '../domain/partner-profile.ts';
import type { Partner } from '../domain/partners.ts';
import { countForPartner } from '../observability/partner-metric.ts';
import { getObject, putObject, putObjectStream } from '../store/objects.ts';
import { getPartner, listPartners } from '../store/partners.ts';
import {
  type DayPartsResult,
  type ExportResult,
  type ExportTarget,
  exportPart,
  exportPeriod,
  finishDayParts,
  type SupervisionPartner,
  startDayInParts,
} from './dxp-export.ts';
import { dynamoExportSource } from './dxp-source.ts';

const BUCKET = 'exports';

const exportsTarget: ExportTarget = {
  put: (key, body, contentType) => putObject(BUCKET, key, body, { contentType }),
  putStream: (staging, chunks, keyOf, contentType) => putObjectStream(BUCKET, staging, chunks, keyOf, { contentType }),
  get: (key) => getObject(BUCKET, key),
};

/** a supervision partner with its region (its AreaCode prefixes, else its profile's), or undefined */
const withRegion = (p: Partner): SupervisionPartner | undefined => {
  const areaCodes = supervisionRegion(p);
  const sampleSeconds = profileOf(p).supervision?.sampleSeconds;
  return areaCodes?.length ? { operatorId: p.operatorId, areaCodes, ...(sampleSeconds ? { sampleSeconds } : {}) } : undefined;
};

const supervisionPartners = async (): Promise<SupervisionPartner[]> =>
  (await listPartners()).flatMap((p) => {
    const s = p.status === 'active' ? withRegion(p) : undefined;
    return s ? [s] : [];
  });

/** A supervision partner by OperatorID, or a clear error. */
export const supervisionPartner = async (operatorId: string): Promise<SupervisionPartner> => {
  const p = await getPartner(operatorId, { fresh: true });
  if (!p) throw new Error(`no partner ${operatorId}`);
  const s = withRegion(p);
  if (!s) throw new Error(`partner ${operatorId} is not a supervision partner with a region (areaCodes)`);
  return s;
};

export const exportOne = (partner: SupervisionPartner, period: Period, now: Date): Promise<ExportResult> =>
  exportPeriod({ partner, period, now, codeVersion: config().CODE_VERSION, source: dynamoExportSource, target: exportsTarget });

/** `YYYY-MM-DDTHH` or `YYYY-MM-DD`, or a clear error. */
export const periodOf = (id: string): Period => {
  const p = parsePeriod(id);
  if (!p) throw new RangeError(`not a period: ${JSON.stringify(id)} (YYYY-MM-DDTHH or YYYY-MM-DD, China time)`);
  return p;
};

/** Every day of [from, to] for one partner, in order. */
export const backfill = async (partner: SupervisionPartner, from: string, to: string, now: Date): Promise<ExportResult[]> => {
  const out: ExportResult[] = [];
  for (const day of daysBetween(from, to)) out.push(await exportOne(partner, day, now));
  return out;
};

/** The scheduled run: the last complete hour (or day) of every supervision partner. */
export const runScheduledExports = async (granularity: Period['granularity'], now: Date): Promise<{ exported: number; failed: number }> => {
  const period = lastCompletePeriod(now, granularity);
  let failed = 0;
  const partners = await supervisionPartners();
  for (const p of partners) {
    try {
      await exportOne(p, period, now);
    } catch (err) {
      failed++;
      // the export-failure alarm's signal (infra/topology/dxp.ts), per platform
      countForPartner('DxpExportFailed', p.operatorId);
      logger.error('dxp export failed', { OperatorID: p.operatorId, period: period.id, error: err as Error });
    }
  }
  if (failed) throw new Error(`dxp exports of ${period.id}: ${failed} of ${partners.length} partner(s) failed`);
  return { exported: partners.length, failed };
};

/**
 * The nightly run, fanned out: per supervision partner a new run of the previous day (its record
 * names the 24 parts) and one `dxp-export-parts` message per hour. A partner that fails here is
 * counted and the others still start; the run throws after all were tried.
 */
export const runScheduledDayInParts = async (now: Date): Promise<{ partners: number; parts: number }> => {
  const day = lastCompletePeriod(now, 'day');
  const partners = await supervisionPartners();
  let parts = 0;
  let failed = 0;
  for (const p of partners) {
    try {
      const run = await startDayInParts({ partner: p, day, now, target: exportsTarget });
      await sendBatch(
        DxpExportPartsQueue,
        run.parts.map((part) => ({ OperatorID: p.operatorId, day: day.id, part, runId: run.runId })),
      );
      parts += run.parts.length;
    } catch (err) {
      failed++;
      countForPartner('DxpExportFailed', p.operatorId);
      logger.error('dxp daily export could not be started', { OperatorID: p.operatorId, period: day.id, error: err as Error });
    }
  }
  if (failed) throw new Error(`dxp daily export of ${day.id}: ${failed} of ${partners.length} partner(s) not started`);
  logger.info('dxp daily export fanned out', { period: day.id, partners: partners.length, parts });
  return { partners: partners.length, parts };
};

/** One part of a day (a `dxp-export-parts` message): its objects and record, then the day's manifest if it was the last. */
export const exportDayPart = async (m: DxpExportPartMessage, now: Date): Promise<DayPartsResult> => {
  const partner = await supervisionPartner(m.OperatorID);
  const day = periodOf(m.day);
  const record = await exportPart({
    partner,
    day,
    part: periodOf(m.part),
    runId: m.runId,
    source: dynamoExportSource,
    target: exportsTarget,
  });
  const r = await finishDayParts({
    partner,
    period: day,
    runId: m.runId,
    now,
    codeVersion: config().CODE_VERSION,
    source: dynamoExportSource,
    target: exportsTarget,
  });
  logger.info('dxp export part written', {
    OperatorID: m.OperatorID,
    period: m.part,
    objects: record.objects.map((o) => ({ kind: o.kind, count: o.count, sha256: o.sha256 })),
    day: r.outcome,
    ...(r.outcome === 'waiting' ? { waitingFor: r.missing.length } : {}),
  });
  return r;
};
