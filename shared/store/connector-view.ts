/**
 * What the charging service needs to know about a connector, read from baseinfo's table
 * (shared/store/stations.ts): where it is, its live status and its time-of-use tariff.
 */

import { config } from '../config.ts';
import type { TariffPeriod } from '../domain/billing.ts';
import type { ReservationPolicy } from '../domain/reservation.ts';
import { GetCommand } from './doc.ts';
import { dynamo } from './dynamo.ts';
import { getConnectorRef, getStationMeta } from './stations.ts';

export interface ConnectorView {
  ConnectorID: string;
  StationID: string;
  EquipmentID: string;
  /** live T/CEC status (0 offline when never heard from) */
  status: number;
  /** the live status's version (absent: never heard from) */
  version?: number;
  tariff: TariffPeriod[];
  /** the station's reservation policy (extension); absent: the station takes no reservations */
  reservationPolicy?: ReservationPolicy;
}

export const getConnectorView = async (connectorId: string): Promise<ConnectorView | undefined> => {
  const ref = await getConnectorRef(connectorId);
  if (!ref) return undefined;
  const [conn, meta] = await Promise.all([
    dynamo().send(
      new GetCommand({
        TableName: config().tableName('stations'),
        Key: { pk: `STATION#${ref.stationId}`, sk: `CONN#${connectorId}` },
        ProjectionExpression: '#s, version',
        ExpressionAttributeNames: { '#s': 'status' },
        ConsistentRead: true,
      }),
    ),
    getStationMeta(ref.stationId),
  ]);
  if (!conn.Item) return undefined;
  return {
    ConnectorID: connectorId,
    StationID: ref.stationId,
    EquipmentID: ref.equipmentId,
    status: typeof conn.Item.status === 'number' ? conn.Item.status : 0,
    ...(typeof conn.Item.version === 'number' ? { version: conn.Item.version } : {}),
    tariff: (meta?.policy ?? []).map((p) => ({ startTime: p.StartTime, elecPrice: p.ElecPrice, servicePrice: p.SevicePrice })),
    ...(meta?.extensions?.ReservationPolicy ? { reservationPolicy: meta.extensions.ReservationPolicy } : {}),
  };
};
