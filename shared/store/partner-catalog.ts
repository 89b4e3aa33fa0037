/**
 * Partner catalogs (table `roaming`): the stations of the partners OUR users may charge at, as the
 * partner's query_stations_info returned them — stored apart from our own stations (table
 * `stations`), each with its owner OperatorID.
 *
 * Items:
 *   PSTATION#<OperatorID>#<StationID>   the partner's StationInfo (EquipmentInfos → ConnectorInfos),
 *                                       owner `OperatorID`, `syncedAt`; filed in the byGroup index
 *                                       under its grid cell (gsi2pk = PCELL#<cell>, gsi2sk = pk)
 *   PCONN#<ConnectorID>                 which partner (`owner`) and station a connector belongs to
 *                                       (written with its station; the last sync to list it wins)
 *   CATALOG#<OperatorID>                where the partner's sync stands: `lastQueryTime` (the
 *                                       partner-facing time the last complete pull STARTED, the
 *                                       next pull's LastQueryTime) and counts
 *   POLICY#<OperatorID>#<ConnectorID>   the partner's tariff of a connector (query_equip_business_policy),
 *                                       with `fetchedAt` (cached; the app API refreshes it when old)
 *
 * Access patterns (no Scan on a request path):
 *   - a sync writes stations and their connectors' owner items in BatchWrite groups of 25;
 *   - the station search (app API) Queries the byGroup index for the grid cells around the point
 *     (shared/domain/app-session.ts cellsAround; keys + owner + coordinates projected), keeps those
 *     within the radius and BatchGets their documents; cells are cached in the Lambda for CELL_TTL_MS;
 *   - a start without operatorId finds the connector's owner with one GetItem (PCONN#…), cached;
 *   - the slow status poll lists one partner's stations (a filtered Scan, every 15 min, off the
 *     request path).
 */

import { config } from '../config.ts';
import { gridCell } from '../domain/app-session.ts';
import type { TariffPeriod } from '../domain/billing.ts';
import { BatchGetCommand, BatchWriteCommand, GetCommand, PutCommand, paginateQuery, paginateScan } from './doc.ts';
import { dynamo } from './dynamo.ts';

const table = () => config().tableName('roaming');

export interface CatalogState {
  lastQueryTime?: string;
  stations: number;
  syncedAt: string;
}

export const getCatalogState = async (operatorId: string): Promise<CatalogState | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `CATALOG#${operatorId}` }, ConsistentRead: true }));
  if (!res.Item) return undefined;
  const { pk: _pk, ...s } = res.Item;
  return s as CatalogState;
};

export const putCatalogState = async (operatorId: string, s: CatalogState): Promise<void> => {
  await dynamo().send(new PutCommand({ TableName: table(), Item: { pk: `CATALOG#${operatorId}`, ...s } }));
};

export type PartnerStation = Record<string, unknown> & { StationID: string; OperatorID: string };

type Item = Record<string, unknown>;

const connectorIdsOf = (s: Item): string[] =>
  ((s.EquipmentInfos ?? []) as { ConnectorInfos?: { ConnectorID?: unknown }[] }[]).flatMap((e) =>
    (e.ConnectorInfos ?? []).flatMap((c) => (typeof c.ConnectorID === 'string' ? [c.ConnectorID] : [])),
  );

/** The items of one partner station: the station (filed under its grid cell) and one owner item per connector. */
const stationItems = (operatorId: string, s: Item, syncedAt: string): Item[] => {
  const pk = `PSTATION#${operatorId}#${String(s.StationID)}`;
  const located = typeof s.StationLat === 'number' && typeof s.StationLng === 'number';
  return [
    {
      pk,
      ...s,
      owner: operatorId,
      syncedAt,
      ...(located ? { gsi2pk: `PCELL#${gridCell(s.StationLat as number, s.StationLng as number)}`, gsi2sk: pk } : {}),
    },
    ...connectorIdsOf(s).map((id) => ({ pk: `PCONN#${id}`, owner: operatorId, StationID: String(s.StationID), syncedAt })),
  ];
};

/** Store a page of the partner's stations (25 items per BatchWrite, unprocessed items re-sent). Returns the writes made. */
export const putPartnerStations = async (operatorId: string, stations: readonly Item[], syncedAt: string): Promise<number> => {
  const items = stations.flatMap((s) => stationItems(operatorId, s, syncedAt));
  // one station's connectors may repeat a ConnectorID: a BatchWrite refuses duplicate keys
  const unique = [...new Map(items.map((i) => [String(i.pk), i])).values()];
  let writes = 0;
  for (let i = 0; i < unique.length; i += 25) {
    let requests = unique.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length && attempt < 8; attempt++) {
      writes++;
      const res = await dynamo().send(new BatchWriteCommand({ RequestItems: { [table()]: requests } }));
      requests = (res.UnprocessedItems?.[table()] ?? []) as typeof requests;
    }
    if (requests.length) throw new Error(`partner ${operatorId}: ${requests.length} item(s) not written after retries`);
  }
  return writes;
};

const asStation = (item: Item): PartnerStation => {
  const { pk: _pk, owner, gsi2pk: _g1, gsi2sk: _g2, ...s } = item;
  return { ...s, OperatorID: String(s.OperatorID ?? owner) } as PartnerStation;
};

/** where a partner station is: what the byGroup index projects */
export interface StationPlace {
  pk: string;
  StationID: string;
  owner: string;
  StationLng: number;
  StationLat: number;
}

/** a grid cell's stations are read again after this long (a sync's changes show within it) */
const CELL_TTL_MS = 30_000;
const cellCache = new Map<string, { at: number; places: StationPlace[] }>();

/** The partner stations filed under one grid cell (a Query of byGroup; cached in this Lambda for CELL_TTL_MS). */
export const partnerStationsInCell = async (cell: string, nowMs = Date.now()): Promise<StationPlace[]> => {
  const key = `${table()}|${cell}`;
  const hit = cellCache.get(key);
  if (hit && nowMs - hit.at < CELL_TTL_MS) return hit.places;
  const places: StationPlace[] = [];
  for await (const page of paginateQuery(
    { client: dynamo() },
    {
      TableName: table(),
      IndexName: 'byGroup',
      KeyConditionExpression: 'gsi2pk = :c',
      ExpressionAttributeValues: { ':c': `PCELL#${cell}` },
    },
  )) {
    for (const i of page.Items ?? []) {
      places.push({
        pk: String(i.pk),
        StationID: String(i.StationID),
        owner: String(i.owner),
        StationLng: Number(i.StationLng),
        StationLat: Number(i.StationLat),
      });
    }
  }
  if (cellCache.size > 1000) cellCache.clear();
  cellCache.set(key, { at: nowMs, places });
  return places;
};

/** The stored documents of these partner stations (BatchGet, 100 keys a call, unprocessed keys asked again). */
export const getPartnerStationDocs = async (pks: readonly string[]): Promise<PartnerStation[]> => {
  const out: PartnerStation[] = [];
  for (let i = 0; i < pks.length; i += 100) {
    let keys: Record<string, unknown>[] = pks.slice(i, i + 100).map((pk) => ({ pk }));
    for (let attempt = 0; keys.length && attempt < 8; attempt++) {
      const res = await dynamo().send(new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys } } }));
      for (const item of res.Responses?.[table()] ?? []) out.push(asStation(item));
      keys = (res.UnprocessedKeys?.[table()]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return out;
};

const OWNER_TTL_MS = 60_000;
const ownerCache = new Map<string, { at: number; owner: string }>();

/** The partner whose synced catalog lists this connector (one GetItem; cached in this Lambda for OWNER_TTL_MS). */
export const partnerOfConnector = async (connectorId: string, nowMs = Date.now()): Promise<string | undefined> => {
  const key = `${table()}|${connectorId}`;
  const hit = ownerCache.get(key);
  if (hit && nowMs - hit.at < OWNER_TTL_MS) return hit.owner;
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `PCONN#${connectorId}` } }));
  const owner = res.Item ? String(res.Item.owner) : undefined;
  if (owner) {
    if (ownerCache.size > 10_000) ownerCache.clear();
    ownerCache.set(key, { at: nowMs, owner });
  }
  return owner;
};

/** Every stored station of a partner (or of every partner): a filtered Scan, for the slow status poll and tools only. */
export const listPartnerStations = async (operatorId?: string): Promise<PartnerStation[]> => {
  const prefix = operatorId ? `PSTATION#${operatorId}#` : 'PSTATION#';
  const out: PartnerStation[] = [];
  for await (const page of paginateScan(
    { client: dynamo() },
    { TableName: table(), FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': prefix } },
  )) {
    for (const item of page.Items ?? []) out.push(asStation(item));
  }
  return out;
};

export interface CachedPolicy {
  tariff: TariffPeriod[];
  fetchedAt: number;
}

export const getCachedPolicy = async (operatorId: string, connectorId: string): Promise<CachedPolicy | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `POLICY#${operatorId}#${connectorId}` } }));
  return res.Item ? { tariff: res.Item.tariff as TariffPeriod[], fetchedAt: res.Item.fetchedAt as number } : undefined;
};

export const putCachedPolicy = async (operatorId: string, connectorId: string, p: CachedPolicy): Promise<void> => {
  await dynamo().send(new PutCommand({ TableName: table(), Item: { pk: `POLICY#${operatorId}#${connectorId}`, ...p } }));
};
