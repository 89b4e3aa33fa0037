/**
 * Events between the platform and its piles (the successor of the old
 * `data_stubstatus_info_all_biz` topic). Piles → platform: status, session started/stopped, meter
 * values. Platform → piles: command requested (the pile gateway hands it to the pile).
 *
 * Times are ISO-8601 instants (UTC, with Z) inside the platform; the protocol edge formats them
 * as China local time.
 */
import * as z from 'zod/mini';
import { atImport } from '../shared/domain/once.ts';
import { defineEvent } from './define.ts';

export const PILES_SOURCE = 'evcs.piles';
export const CHARGING_SOURCE = 'evcs.charging';

// the fields the contracts below share: built only in a bundle that keeps one of them (atImport)
const ConnectorID = /* @__PURE__ */ atImport(() => z.string().check(z.minLength(1), z.maxLength(26)));
const StartChargeSeq = /* @__PURE__ */ atImport(() => z.string().check(z.minLength(1), z.maxLength(64)));
const Instant = /* @__PURE__ */ atImport(() => z.iso.datetime({ offset: true }));

/** T/CEC ConnectorStatusInfo.Status: 0 offline, 1 idle, 2 occupied (not charging), 3 charging, 4 reserved, 255 fault */
export const ConnectorStatus = /* @__PURE__ */ atImport(() =>
  z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(255)]),
);
export type ConnectorStatus = z.infer<typeof ConnectorStatus>;
/** ParkStatus: 0 unknown, 10 free, 50 occupied; LockStatus: 0 unknown, 10 unlocked, 50 locked */
export const ParkStatus = /* @__PURE__ */ atImport(() => z.union([z.literal(0), z.literal(10), z.literal(50)]));
export const LockStatus = /* @__PURE__ */ atImport(() => z.union([z.literal(0), z.literal(10), z.literal(50)]));

export const PileStatusChanged = /* @__PURE__ */ defineEvent({
  source: PILES_SOURCE,
  detailType: 'PileStatusChanged',
  // 2: StationID (optional; a version-1 event without it is still accepted, its station then looked up)
  version: 2,
  description: 'A pile reports the status of one connector (status, park and lock status) as it observed it',
  detail: () =>
    z.object({
      ConnectorID,
      /**
       * the connector's station, when the reporter knows it (the gateway's registry, the simulator):
       * the status ingest then needs no ConnectorID → StationID lookup (a wrong one is looked up afresh)
       */
      StationID: z.optional(z.string().check(z.minLength(1), z.maxLength(20))),
      status: ConnectorStatus,
      parkStatus: z._default(ParkStatus, 0),
      lockStatus: z._default(LockStatus, 0),
      /** when the pile observed this status */
      observedAt: Instant,
      /** per-pile sequence number, increasing with every report of that pile */
      seq: z.int().check(z.gte(0)),
    }),
  sample: {
    ConnectorID: '1010000000000000000000001',
    StationID: 'ST0001',
    status: 1,
    parkStatus: 10,
    lockStatus: 10,
    observedAt: '2026-11-23T01:30:45.000Z',
    seq: 42,
  },
});

export const PileCommandRequested = /* @__PURE__ */ defineEvent({
  source: CHARGING_SOURCE,
  detailType: 'PileCommandRequested',
  version: 1,
  description: 'The charging service asks a pile to start or stop a session; the pile gateway delivers it',
  detail: () =>
    z.object({
      command: z.enum(['start', 'stop']),
      StartChargeSeq,
      ConnectorID,
      requestedAt: Instant,
      /** a start on the partner's own reservation (extension): the charge point admits the reservation's idTag */
      ReserveSeq: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    }),
  sample: {
    command: 'start',
    StartChargeSeq: 'MA01H3BQ2202611230930450001',
    ConnectorID: '1010000000000000000000001',
    requestedAt: '2026-11-23T01:30:45.000Z',
  },
});

export const PileSessionStarted = /* @__PURE__ */ defineEvent({
  source: PILES_SOURCE,
  detailType: 'PileSessionStarted',
  version: 1,
  description: 'A pile answered a start command: accepted (charging begins) or refused with a reason',
  detail: () =>
    z.object({
      StartChargeSeq,
      ConnectorID,
      accepted: z.boolean(),
      /** why a start was refused */
      reason: z.optional(z.enum(['offline', 'fault', 'busy', 'not-plugged', 'refused'])),
      at: Instant,
      /** meter reading at the start, Wh */
      meterStartWh: z.optional(z.number().check(z.gte(0))),
    }),
  sample: {
    StartChargeSeq: 'MA01H3BQ2202611230930450001',
    ConnectorID: '1010000000000000000000001',
    accepted: true,
    at: '2026-11-23T01:30:47.000Z',
    meterStartWh: 1234567,
  },
});

/** Why a session ended, as the pile saw it (mapped to T/CEC StopReason by the charging service). */
export const StopCause = /* @__PURE__ */ atImport(() => z.enum(['remote', 'bms-full', 'fault', 'unplugged', 'local']));
export type StopCause = z.infer<typeof StopCause>;

export const PileSessionStopped = /* @__PURE__ */ defineEvent({
  source: PILES_SOURCE,
  detailType: 'PileSessionStopped',
  version: 1,
  description: 'A session ended on the pile, with its cause and the final meter reading',
  detail: () =>
    z.object({
      StartChargeSeq,
      ConnectorID,
      cause: StopCause,
      at: Instant,
      /** energy delivered in the session, Wh (cumulative since the start) */
      energyWh: z.number().check(z.gte(0)),
    }),
  sample: {
    StartChargeSeq: 'MA01H3BQ2202611230930450001',
    ConnectorID: '1010000000000000000000001',
    cause: 'remote',
    at: '2026-11-23T02:30:47.000Z',
    energyWh: 45210,
  },
});

export const PileMeterValues = /* @__PURE__ */ defineEvent({
  source: PILES_SOURCE,
  detailType: 'PileMeterValues',
  version: 1,
  description: 'A meter sample of a running session',
  detail: () =>
    z.object({
      StartChargeSeq,
      ConnectorID,
      at: Instant,
      /** energy delivered in the session so far, Wh (cumulative, monotonic) */
      energyWh: z.number().check(z.gte(0)),
      powerKw: z.number().check(z.gte(0)),
      currentA: z.number(),
      voltageA: z.number(),
      currentB: z.optional(z.number()),
      currentC: z.optional(z.number()),
      voltageB: z.optional(z.number()),
      voltageC: z.optional(z.number()),
      soc: z.number().check(z.gte(0), z.lte(100)),
    }),
  sample: {
    StartChargeSeq: 'MA01H3BQ2202611230930450001',
    ConnectorID: '1010000000000000000000001',
    at: '2026-11-23T01:45:47.000Z',
    energyWh: 12350,
    powerKw: 49.6,
    currentA: 125.5,
    voltageA: 395.2,
    soc: 56.3,
  },
});

export const PileReservationRequested = /* @__PURE__ */ defineEvent({
  source: CHARGING_SOURCE,
  detailType: 'PileReservationRequested',
  version: 1,
  description:
    'The reservation extension asks a pile to hold a connector until expiresAt (it then reports Status 4) or to release it; the pile gateway delivers it (OCPP ReserveNow / CancelReservation)',
  detail: () =>
    z.object({
      command: z.enum(['reserve', 'cancel']),
      /** the partner's reservation sequence (query_reserve_connector) */
      ReserveSeq: z.string().check(z.minLength(1), z.maxLength(64)),
      ConnectorID,
      /** when the reservation lapses (reserve only) */
      expiresAt: z.optional(Instant),
      requestedAt: Instant,
    }),
  sample: {
    command: 'reserve',
    ReserveSeq: 'MA01H3BQ2202611230930450001',
    ConnectorID: '1010000000000000000000001',
    expiresAt: '2026-11-23T01:45:45.000Z',
    requestedAt: '2026-11-23T01:30:45.000Z',
  },
});

export const PileVinReported = /* @__PURE__ */ defineEvent({
  source: PILES_SOURCE,
  detailType: 'PileVinReported',
  version: 1,
  description:
    'A charger reports the VIN of the car plugged into a connector (plug-and-charge, ours: OCPP DataTransfer EVCS/VinReport); the plug-and-charge function starts a session under the partner that bound it. The VIN is personal data: logs show it masked.',
  detail: () =>
    z.object({
      ConnectorID,
      /** ISO 3779, 17 characters (checked by whoever heard it from the charger) */
      Vin: z.string().check(z.regex(/^[A-HJ-NPR-Z0-9]{17}$/)),
      /** when the charger saw the car plugged in */
      reportedAt: Instant,
    }),
  sample: {
    ConnectorID: '1010000000000000000000001',
    Vin: 'LSVAU2180N2183294',
    reportedAt: '2026-11-23T01:30:45.000Z',
  },
});
