/**
 * StationChanged, announced: right after an import's write, and by the station-change sweep for
 * what an import recorded but did not publish. Apart from the import (shared/services/station-import.ts)
 * so that the sweep's function carries none of the import's validation.
 */
import { logger } from '#powertools';
import { StationChanged } from '../../events/baseinfo.ts';
import { publish } from '../bus/publish.ts';
import { announced, clearStationChanges, type ImportSummary, pendingStationChanges, type StationChangeFacts } from '../store/stations.ts';

/** a recorded change younger than this belongs to the import that recorded it (it publishes right after its write) */
const STATION_CHANGE_GRACE_MS = 60_000;
/** an import that recorded changes but never wrote the stations' META: its rows are dropped after this */
const ABANDONED_AFTER_MS = 7 * 24 * 3600_000;

const changeDetail = (c: StationChangeFacts, at: number) => ({
  StationID: c.stationId,
  ...(c.areaCode ? { AreaCode: c.areaCode } : {}),
  created: c.created,
  info: c.info,
  tariff: c.tariff,
  equipment: c.equipment,
  changedAt: new Date(at).toISOString(),
});

/**
 * One StationChanged per station created or changed in its info, equipment or price policy
 * (supervision pushes and exports, issue 13), never lost: the import recorded each change in the
 * table's outbox BEFORE committing the station (shared/store/stations.ts), publishes here right
 * after the write and deletes the rows. A failed publish (or a crash before it) leaves the rows for
 * the sweep (`sweepStationChanges`, every 5 minutes) to publish; the import itself succeeded. A
 * re-import of the same data writes nothing and announces nothing. At least once: a crash between
 * the publish and the delete announces the change again (consumers are idempotent).
 */
export const announceChanges = async (summary: ImportSummary, now: Date): Promise<void> => {
  const changes = (summary.changes ?? []).filter(announced);
  if (!changes.length) return;
  const at = now.getTime();
  try {
    await publish(
      StationChanged,
      changes.map((c) => changeDetail(c, at)),
    );
    await clearStationChanges(changes.map((c) => ({ stationId: c.stationId, at })));
  } catch (err) {
    logger.warn('StationChanged not published after the import; the station-change sweep publishes it', {
      stations: changes.length,
      error: err instanceof Error ? err.message : String(err),
    });
  }
};

/**
 * The station-change sweep (Scheduler, reconcile service): publishes the changes imports recorded
 * and committed but did not announce (a failed publish, a crash), then deletes their rows; drops
 * the rows of imports that never committed (older than 7 days; a re-import records its own). Its
 * cost when nothing is pending: one Query of an empty key range.
 */
export const sweepStationChanges = async (now: Date): Promise<{ published: number; abandoned: number }> => {
  const t = now.getTime();
  const { committed, abandoned } = await pendingStationChanges(t - STATION_CHANGE_GRACE_MS, t - ABANDONED_AFTER_MS);
  if (committed.length)
    await publish(
      StationChanged,
      committed.map((c) => changeDetail(c.facts, c.at)),
    );
  const done = [...committed, ...abandoned].map((c) => ({ stationId: c.facts.stationId, at: c.at }));
  if (done.length) await clearStationChanges(done);
  if (committed.length || abandoned.length)
    logger.info('station-change sweep', { published: committed.length, abandoned: abandoned.length });
  return { published: committed.length, abandoned: abandoned.length };
};
