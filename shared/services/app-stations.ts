/**
 * `GET /app/v1/stations` (issue 12 §4): OUR stations and the roam-out partners' synced stations
 * within a radius, nearest first, each connector with its live status and the prices we know:
 *   ours      status from baseinfo (the piles), prices = the station's PolicyInfos;
 *   partners  status from the partner's pushes / our slow poll (table roaming), prices = the
 *             tariff pulled for the connector if we have it cached, else the station's fee texts.
 * The radius is applied before any status is read, so the cost grows with the stations IN the
 * circle: the partners' side Queries the grid cells around the point (no Scan), keeps the stations
 * within the radius and reads only their documents; ours reads our station index.
 */
import { config } from '../config.ts';
import { cellsAround, distanceKm } from '../domain/app-session.ts';
import { getCachedPolicy, getPartnerStationDocs, partnerStationsInCell } from '../store/partner-catalog.ts';
import { getPartnerConnectorStatus } from '../store/roaming.ts';
import { getStationConnectors, getStationInfos, getStationMeta, listStationIndex } from '../store/stations.ts';

export interface NearbyQuery {
  lng: number;
  lat: number;
  radiusKm: number;
}

interface ConnectorOut {
  connectorId: string;
  /** T/CEC connector status (0 offline, 1 idle, 2 plugged, 3 charging, 4 reserved, 255 fault); null when never heard */
  status: number | null;
  available: boolean;
}

export interface StationOut {
  stationId: string;
  operatorId: string;
  own: boolean;
  name: string;
  address: string;
  lng: number;
  lat: number;
  distanceKm: number;
  connectors: ConnectorOut[];
  available: number;
  /** time-of-use periods (StartTime HHmmss, yuan/kWh), and the station's fee texts when the partner gave them */
  prices: { periods: { startTime: string; elecPrice: number; servicePrice: number }[]; electricityFee?: string; serviceFee?: string };
}

type Doc = Record<string, unknown> & {
  StationID: string;
  StationName?: string;
  Address?: string;
  StationLng?: number;
  StationLat?: number;
  ElectricityFee?: string;
  ServiceFee?: string;
  EquipmentInfos?: { ConnectorInfos?: { ConnectorID: string }[] }[];
};

const IDLE = 1;
const PLUGGED = 2;
const isAvailable = (status: number | null): boolean => status === IDLE || status === PLUGGED;

const within = (q: NearbyQuery, d: Doc): number | undefined => {
  if (typeof d.StationLng !== 'number' || typeof d.StationLat !== 'number') return undefined;
  const km = distanceKm({ lat: q.lat, lng: q.lng }, { lat: d.StationLat, lng: d.StationLng });
  return km <= q.radiusKm ? km : undefined;
};

const connectorIds = (d: Doc): string[] => (d.EquipmentInfos ?? []).flatMap((e) => (e.ConnectorInfos ?? []).map((c) => c.ConnectorID));

const base = (d: Doc, operatorId: string, own: boolean, km: number) => ({
  stationId: d.StationID,
  operatorId,
  own,
  name: d.StationName ?? '',
  address: d.Address ?? '',
  lng: d.StationLng as number,
  lat: d.StationLat as number,
  distanceKm: Math.round(km * 1000) / 1000,
});

const fees = (d: Doc) => ({
  ...(d.ElectricityFee ? { electricityFee: d.ElectricityFee } : {}),
  ...(d.ServiceFee ? { serviceFee: d.ServiceFee } : {}),
});

const ourStations = async (q: NearbyQuery): Promise<StationOut[]> => {
  const ids = (await listStationIndex()).map((e) => e.stationId);
  const near = (await getStationInfos(ids)).flatMap((info) => {
    const km = within(q, info as unknown as Doc);
    return km === undefined ? [] : [{ doc: info as unknown as Doc, km }];
  });
  return Promise.all(
    near.map(async ({ doc, km }) => {
      const [live, meta] = await Promise.all([getStationConnectors(doc.StationID), getStationMeta(doc.StationID)]);
      const statusOf = new Map(live.map((c) => [c.connectorId, c.status as number]));
      const connectors = connectorIds(doc).map((id) => {
        const status = statusOf.get(id) ?? null;
        return { connectorId: id, status, available: isAvailable(status) };
      });
      return {
        ...base(doc, config().OPERATOR_ID, true, km),
        connectors,
        available: connectors.filter((c) => c.available).length,
        prices: {
          periods: (meta?.policy ?? []).map((p) => ({ startTime: p.StartTime, elecPrice: p.ElecPrice, servicePrice: p.SevicePrice })),
          ...fees(doc),
        },
      };
    }),
  );
};

const partnerStations = async (q: NearbyQuery): Promise<StationOut[]> => {
  const places = (await Promise.all(cellsAround(q).map((cell) => partnerStationsInCell(cell)))).flat();
  const inside = places.filter((p) => within(q, p as unknown as Doc) !== undefined);
  const near = (await getPartnerStationDocs(inside.map((p) => p.pk))).flatMap((s) => {
    const km = within(q, s as unknown as Doc);
    return km === undefined ? [] : [{ doc: s as unknown as Doc, owner: s.OperatorID, km }];
  });
  return Promise.all(
    near.map(async ({ doc, owner, km }) => {
      const ids = connectorIds(doc);
      const connectors = await Promise.all(
        ids.map(async (id) => {
          const s = await getPartnerConnectorStatus(owner, id);
          const status = s?.Status ?? null;
          return { connectorId: id, status, available: isAvailable(status) };
        }),
      );
      const policy = ids[0] ? await getCachedPolicy(owner, ids[0]) : undefined;
      return {
        ...base(doc, owner, false, km),
        connectors,
        available: connectors.filter((c) => c.available).length,
        prices: { periods: policy?.tariff ?? [], ...fees(doc) },
      };
    }),
  );
};

export const nearbyStations = async (q: NearbyQuery): Promise<StationOut[]> => {
  const [ours, theirs] = await Promise.all([ourStations(q), partnerStations(q)]);
  return [...ours, ...theirs].sort((a, b) => a.distanceKm - b.distanceKm || a.stationId.localeCompare(b.stationId));
};
