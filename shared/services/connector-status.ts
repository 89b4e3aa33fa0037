/**
 * The status pipeline's one step: a pile's status report (PileStatusChanged) → the connector's
 * live status, versioned so that a late, older report never overwrites a newer one → a
 * ConnectorStatusChanged event when the status REALLY changed (newer AND different in status,
 * park or lock status). Duplicates and stale reports change nothing and emit nothing.
 *
 * No change is lost: the write marks the change "pending announcement" and the mark is cleared
 * only after the event is published, so when publishing fails the record is retried (SQS) and
 * the retry — which finds its own version already stored — publishes the pending change.
 */
import { logger } from '#powertools';
import { ConnectorStatusChanged } from '../../events/baseinfo.ts';
import type { DetailOf } from '../../events/define.ts';
import type { ConnectorStatus, PileStatusChanged } from '../../events/piles.ts';
import { publish } from '../bus/publish.ts';
import { type LiveStatus, shouldReannounce, statusDiffers, statusVersion } from '../domain/connector-status.ts';
import { applyConnectorStatus, getConnectorRef, markAnnounced } from '../store/stations.ts';

export type IngestResult = 'changed' | 'unchanged' | 'stale' | 'unknown-connector' | 're-announced';

type Report = DetailOf<typeof PileStatusChanged>;

export const ingestPileStatus = async (r: Report, now: () => number = Date.now): Promise<IngestResult> => {
  const version = statusVersion(r.observedAt, r.seq);
  const next: LiveStatus = { status: r.status, parkStatus: r.parkStatus, lockStatus: r.lockStatus };
  let changed = false;
  let previous: LiveStatus | undefined;
  const write = async (stationId: string) =>
    applyConnectorStatus({ stationId, connectorId: r.ConnectorID, version, observedAt: r.observedAt, ...next }, (prev) => {
      previous = prev;
      changed = statusDiffers(prev, next);
      return changed;
    });

  let ref = await getConnectorRef(r.ConnectorID);
  let out = ref ? await write(ref.stationId) : ({ outcome: 'unknown' } as const);
  if (out.outcome === 'unknown' && ref) {
    // the connector may have moved to another station since the ref was cached
    ref = await getConnectorRef(r.ConnectorID, { fresh: true });
    if (ref) out = await write(ref.stationId);
  }
  if (!ref || out.outcome === 'unknown') {
    logger.warn('status report for an unknown connector dropped', { ConnectorID: r.ConnectorID });
    return 'unknown-connector';
  }
  const stationId = ref.stationId;
  const announce = async (prev: number | undefined) => {
    await publish(ConnectorStatusChanged, {
      StationID: stationId,
      ConnectorID: r.ConnectorID,
      ...next,
      ...(prev !== undefined && prev >= 0 ? { previousStatus: prev as ConnectorStatus } : {}),
      observedAt: r.observedAt,
      version,
    });
    await markAnnounced(stationId, r.ConnectorID, version);
  };
  if (out.outcome === 'stale') {
    // a retry of a report whose change was stored but not yet published — after the first
    // delivery had time to publish it (a duplicate delivered concurrently must not announce twice)
    const s = out.stored;
    if (s && shouldReannounce(s, version, now())) {
      await announce(s.announcePrevious);
      return 're-announced';
    }
    return 'stale';
  }
  if (!changed) return 'unchanged';
  await announce(previous?.status);
  return 'changed';
};
