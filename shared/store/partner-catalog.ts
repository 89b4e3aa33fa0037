/**
 * Partner catalogs (table `roaming`): the stations of the partners OUR users may charge at, as the
 * partner's query_stations_info returned them — stored apart from our own stations (table
 * `stations`), each with its owner OperatorID.
 *
 * Items:
 *   PSTATION#<OperatorID>#<StationID>   the partner's StationInfo (EquipmentInfos → ConnectorInfos),
 *                                       owner `OperatorID`, `syncedAt`
 *   CATALOG#<OperatorID>                where the partner's sync stands: `lastQueryTime` (the
 *                                       partner-facing time the last complete pull STARTED, the
 *                                       next pull's LastQueryTime) and counts
 *   POLICY#<OperatorID>#<ConnectorID>   the partner's tariff of a connector (query_equip_business_policy),
 *                                       with `fetchedAt` (cached; the app API refreshes it when old)
 *
 * Access patterns: a sync writes stations in BatchWrite groups of 25 (one write per station);
 * the app API reads a partner's stations with a Query-free scan of its prefix (begins_with on pk is
 * not a key condition for a hash-only table, so it is a filtered Scan: thousands of stations, read
 * per app request only through the app API's own cache — see README "Roaming").
 */
import { BatchWriteCommand, GetCommand, PutCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import type { TariffPeriod } from '../domain/billing.ts';
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

/** Store a page of the partner's stations (25 per BatchWrite, unprocessed items re-sent). Returns the writes made. */
export const putPartnerStations = async (
  operatorId: string,
  stations: readonly Record<string, unknown>[],
  syncedAt: string,
): Promise<number> => {
  let writes = 0;
  for (let i = 0; i < stations.length; i += 25) {
    let requests = stations.slice(i, i + 25).map((s) => ({
      PutRequest: { Item: { pk: `PSTATION#${operatorId}#${String(s.StationID)}`, ...s, owner: operatorId, syncedAt } },
    }));
    for (let attempt = 0; requests.length && attempt < 8; attempt++) {
      writes++;
      const res = await dynamo().send(new BatchWriteCommand({ RequestItems: { [table()]: requests } }));
      requests = (res.UnprocessedItems?.[table()] ?? []) as typeof requests;
    }
    if (requests.length) throw new Error(`partner ${operatorId}: ${requests.length} station(s) not written after retries`);
  }
  return writes;
};

/** Every stored station of a partner (or of every partner). */
export const listPartnerStations = async (operatorId?: string): Promise<PartnerStation[]> => {
  const prefix = operatorId ? `PSTATION#${operatorId}#` : 'PSTATION#';
  const out: PartnerStation[] = [];
  for await (const page of paginateScan(
    { client: dynamo() },
    { TableName: table(), FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': prefix } },
  )) {
    for (const item of page.Items ?? []) {
      const { pk: _pk, owner, ...s } = item;
      out.push({ ...s, OperatorID: String(s.OperatorID ?? owner) } as PartnerStation);
    }
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
