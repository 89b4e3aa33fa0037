/**
 * Which connectors the simulator drives: every connector of the seed's stations (T/CEC
 * StationInfo → EquipmentInfos[] → ConnectorInfos[]). Read leniently — the stations loader
 * validates the data; here only what the simulation needs is taken.
 */
import { z } from 'zod';
import type { Kind } from './physics.ts';

export interface SimConnectorSpec {
  ConnectorID: string;
  /** the pile (EquipmentID): offline events and sequence numbers are per pile */
  EquipmentID: string;
  StationID: string;
  kind: Kind;
  /** rated power, kW */
  powerKw: number;
}

const Connector = z.looseObject({
  ConnectorID: z.string().min(1),
  ConnectorType: z.number().optional(),
  Power: z.number().positive().optional(),
});
const Equipment = z.looseObject({
  EquipmentID: z.string().min(1),
  EquipmentType: z.number().optional(),
  Power: z.number().positive().optional(),
  ConnectorInfos: z.array(Connector).default([]),
});
const Station = z.looseObject({ StationID: z.string().min(1), EquipmentInfos: z.array(Equipment).default([]) });

/** EquipmentType 1 DC, 2 AC, 3 AC/DC (then ConnectorType 4 = DC plug), others AC */
const kindOf = (equipmentType: number | undefined, connectorType: number | undefined): Kind =>
  equipmentType === 1 || (equipmentType === 3 && connectorType === 4) ? 'dc' : 'ac';

export const connectorsFromStations = (stations: readonly unknown[]): SimConnectorSpec[] => {
  const out: SimConnectorSpec[] = [];
  const seen = new Set<string>();
  for (const raw of stations) {
    const st = Station.safeParse(raw);
    if (!st.success) continue;
    for (const eq of st.data.EquipmentInfos)
      for (const c of eq.ConnectorInfos) {
        if (seen.has(c.ConnectorID)) continue;
        seen.add(c.ConnectorID);
        const kind = kindOf(eq.EquipmentType, c.ConnectorType);
        out.push({
          ConnectorID: c.ConnectorID,
          EquipmentID: eq.EquipmentID,
          StationID: st.data.StationID,
          kind,
          powerKw: c.Power ?? eq.Power ?? (kind === 'dc' ? 60 : 7),
        });
      }
  }
  return out;
};
