/**
 * The station loader: one path for `npm run evcs -- stations import FILE` and for the seed of
 * `npm start --seed`. Validate EVERYTHING first (fields, duplicates, ConnectorIDs owned by other
 * stations), write only when there is no problem at all (all-or-nothing), and write only what
 * changed (idempotent: a re-import of the same data bumps no change time).
 */
import { readFileSync } from 'node:fs';
import {
  StationImportError,
  stationParts,
  type ValidationResult,
  validateStations,
  validateStationsCsv,
} from '../domain/station-records.ts';
import { connectorOwnerConflicts, type ImportSummary, importStationParts } from '../store/stations.ts';
import { registerChargePoints } from './ocpp-registry.ts';
import { announceChanges } from './station-changes.ts';

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
