/** Events of the baseinfo service. */
import * as z from 'zod/mini';
import { defineEvent } from './define.ts';
import { ConnectorStatus, LockStatus, ParkStatus } from './piles.ts';

const BASEINFO_SOURCE = 'evcs.baseinfo';

export const ConnectorStatusChanged = /* @__PURE__ */ defineEvent({
  source: BASEINFO_SOURCE,
  detailType: 'ConnectorStatusChanged',
  // 2: parkingSpace (optional; a version-1 event without it reads as "not known")
  version: 2,
  description: 'A connector status really changed (newer than the stored one and different); the push service fans it out',
  detail: () =>
    z.object({
      StationID: z.string().check(z.minLength(1), z.maxLength(20)),
      ConnectorID: z.string().check(z.minLength(1), z.maxLength(26)),
      status: ConnectorStatus,
      parkStatus: ParkStatus,
      lockStatus: LockStatus,
      previousStatus: z.optional(ConnectorStatus),
      observedAt: z.iso.datetime({ offset: true }),
      /** monotonic per connector: a consumer drops anything not newer than what it has seen */
      version: z.int().check(z.gte(0)),
      /**
       * whether the connector has a parking space with a ground lock (the station's ParkingSpaces, as
       * imported); absent when not known. The lock raise's rule skips `false`.
       */
      parkingSpace: z.optional(z.boolean()),
    }),
  sample: {
    StationID: 'ST0001',
    ConnectorID: '1010000000000000000000001',
    status: 3,
    parkStatus: 50,
    lockStatus: 50,
    previousStatus: 2,
    observedAt: '2026-11-23T01:30:47.000Z',
    version: 1763861447000042,
  },
});

/**
 * A station, its equipment or its price policy changed (issue 13): published by the station loader
 * (`stations import`, the seed) for each station it created or changed, never for an unchanged one.
 * Supervision platforms receive it as notification_station_change and the audited exports keep it.
 * Written with the functional schema API only (compiles against zod and zod/mini alike).
 */
export const StationChanged = /* @__PURE__ */ defineEvent({
  source: BASEINFO_SOURCE,
  detailType: 'StationChanged',
  version: 1,
  description: 'A station was created, or its info, equipment or price policy changed (station import); supervision pushes and exports',
  detail: () =>
    z.object({
      StationID: z.string().check(z.minLength(1), z.maxLength(20)),
      /** the station's AreaCode (GB/T 2260): which supervision regions it belongs to */
      AreaCode: z.optional(z.string().check(z.maxLength(20))),
      created: z.boolean(),
      /** StationInfo fields, or its equipment/connectors, changed */
      info: z.boolean(),
      /** its price policy changed */
      tariff: z.boolean(),
      /** EquipmentIDs added or changed (their connectors included) */
      equipment: z.array(z.string().check(z.minLength(1), z.maxLength(23))).check(z.maxLength(1000)),
      /** ISO instant of the import */
      changedAt: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/)),
    }),
  sample: {
    StationID: 'ST0001',
    AreaCode: '310115',
    created: false,
    info: true,
    tariff: false,
    equipment: ['EQ000101'],
    changedAt: '2026-11-23T01:30:47.000Z',
  },
});
