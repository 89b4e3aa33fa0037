/**
 * The station loader: one path for `npm run evcs -- stations import FILE` and for the seed of
 * `npm start --seed`. Validate EVERYTHING first (fields, duplicates, ConnectorIDs owned by other
 * stations), write only when there is no problem at all (all-or-nothing), and write only what
 * changed (idempotent: a re-import of the same data bumps no change time).
 */
import { readFileSync } from 'node:fs';
import { logger } from '#powertools';
import { StationChanged } from '../../events/baseinfo.ts';
import { publish } from '../bus/publish.ts';
import {
  StationImportError,
  stationParts,
  type ValidationResult,
  validateStations,
  validateStationsCsv,
} from '../domain/station-records.ts';
import {
  announced,
  clearStationChanges,
  connectorOwnerConflicts,
  type ImportSummary,
  importStationParts,
  pendingStationChanges,
  type StationChangeFacts,
} from '../store/stations.ts';
import { registerChargePoints } from './ocpp-registry.ts';

export interface ImportOptions {
  /** our OperatorID: every station's OperatorID must equal it */
  operatorId?: string;
  now?: Date;
  /**
   * also register every EquipmentID as an OCPP charge point (`stations import`: the way charge
   * points reach the registry in AWS); charge points already registered with the same connectors
   * keep their entry (and password)
   */
  registerChargePoints?: boolean;
}

/** Validate, check against what is stored, then write. Throws StationImportError listing every problem. */
export const importValidated = async (file: string, v: ValidationResult, opts: ImportOptions = {}): Promise<ImportSummary> => {
  if (v.problems.length) throw new StationImportError(file, v.problems);
  const parts = v.stations.map(stationParts);
  const conflicts = await connectorOwnerConflicts(parts);
  if (conflicts.length) {
    throw new StationImportError(
      file,
      conflicts.map(
        (c) =>
          `station ${c.stationId}, ConnectorID ${c.connectorId}: already belongs to station ${c.ownedBy} (ConnectorIDs are unique per operator)`,
      ),
    );
  }
  const now = opts.now ?? new Date();
  const summary = await importStationParts(parts, now);
  await announceChanges(summary, now);
  if (!opts.registerChargePoints) return summary;
  return { ...summary, chargePointsRegistered: await registerChargePoints(v.stations, [], { keepRegistered: true }) };
};

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
const announceChanges = async (summary: ImportSummary, now: Date): Promise<void> => {
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

/** The seed's (or a JSON file's) `stations` array. */
export const importStationObjects = (file: string, stations: readonly unknown[], opts: ImportOptions = {}): Promise<ImportSummary> =>
  importValidated(file, validateStations(stations, opts.operatorId ? { operatorId: opts.operatorId } : {}), opts);

/**
 * A file: `.csv` (one row per connector, see shared/domain/station-records.ts), or JSON — either an array
 * of StationInfo objects or an object with a `stations` array (a seed file).
 */
export const importStationsFile = async (file: string, opts: ImportOptions = {}): Promise<ImportSummary> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new StationImportError(file, [`not readable: ${(err as Error).message}`]);
  }
  if (/\.csv$/i.test(file))
    return importValidated(file, validateStationsCsv(text, opts.operatorId ? { operatorId: opts.operatorId } : {}), opts);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StationImportError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  const list = Array.isArray(json)
    ? json
    : json && typeof json === 'object' && Array.isArray((json as { stations?: unknown }).stations)
      ? (json as { stations: unknown[] }).stations
      : undefined;
  if (!list) throw new StationImportError(file, ['expected an array of stations or an object with a "stations" array']);
  return importStationObjects(file, list, opts);
};
