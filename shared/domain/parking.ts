/**
 * Parking (停车费减免, the L1 `parking` service) — the pure rules. shared/services/parking.ts applies
 * them with the parking table and the car park's gate system.
 *
 *   - a station waives parking fees only when its seed/import lists a `ParkingPolicy`
 *     ({ FreeMinutes, PerKwhMinutes?, CapMinutes }) and the car park's gateway
 *     (`CarParkGatewayUrl`, shared/domain/ground-locks.ts);
 *   - the waiver of a finished order that charged: FreeMinutes per session, plus PerKwhMinutes per
 *     whole kWh delivered when the policy has it, never more than CapMinutes; an order that never
 *     charged (start refused, pile silent) earns none;
 *   - the car's plate comes from the partner (`modify_parking_fee_wave_car_number`); a waiver is
 *     applied at the gate only for a known plate, so a waiver waits for its plate (WaiverStatus 1)
 *     and is sent when the plate arrives;
 *   - WaiverStatus: 0 none (no policy / nothing earned), 1 waiting for the plate, 2 sending to the
 *     gate (retries, DLQ, replay: the order is never touched), 3 applied at the gate.
 */
import * as z from 'zod/mini';

/** A station's parking policy (seed `stations[].ParkingPolicy`, validated on import). */
export const ParkingPolicySchema = z.strictObject({
  /** minutes of free parking every session that charged earns */
  FreeMinutes: z
    .number({ error: 'must be a number' })
    .check(z.int('must be an integer'), z.gte(0, 'must be ≥ 0'), z.lte(1440, 'at most 1440')),
  /** further free minutes per whole kWh delivered (absent: per session only) */
  PerKwhMinutes: z.optional(
    z.number({ error: 'must be a number' }).check(z.int('must be an integer'), z.gte(0, 'must be ≥ 0'), z.lte(600, 'at most 600')),
  ),
  /** the most free minutes one session earns */
  CapMinutes: z
    .number({ error: 'must be a number' })
    .check(z.int('must be an integer'), z.gte(1, 'must be ≥ 1'), z.lte(1440, 'at most 1440')),
});
export type ParkingPolicy = z.infer<typeof ParkingPolicySchema>;

/** Why a policy makes no sense as a whole (a cap below the per-session minutes), or undefined. */
export const parkingPolicyProblem = (p: ParkingPolicy): string | undefined =>
  p.CapMinutes < p.FreeMinutes ? `CapMinutes (${p.CapMinutes}) must be ≥ FreeMinutes (${p.FreeMinutes})` : undefined;

/** The free minutes a finished order earns under a policy (0 when it never charged). */
export const waiverMinutes = (policy: ParkingPolicy, order: { charged: boolean; totalKwh: number }): number => {
  if (!order.charged) return 0;
  const perKwh = policy.PerKwhMinutes ? Math.floor(Math.max(0, order.totalKwh)) * policy.PerKwhMinutes : 0;
  return Math.min(policy.CapMinutes, policy.FreeMinutes + perKwh);
};

/** WaiverStatus (query_parking_free_info): see the header. */
export const WaiverStatus = { None: 0, AwaitingPlate: 1, Sending: 2, Applied: 3 } as const;
export type WaiverStatus = (typeof WaiverStatus)[keyof typeof WaiverStatus];

/** WaiverType (query_parking_station): 0 the station waives nothing, 1 per session, 2 per kWh (capped). */
export const waiverTypeOf = (policy: ParkingPolicy | undefined): 0 | 1 | 2 => (!policy ? 0 : policy.PerKwhMinutes ? 2 : 1);

/** The policy in words (query_parking_station Note). */
export const policyNote = (policy: ParkingPolicy | undefined): string =>
  !policy
    ? 'no parking fee waiver at this station'
    : policy.PerKwhMinutes
      ? `${policy.FreeMinutes} min free per charging session plus ${policy.PerKwhMinutes} min per kWh, at most ${policy.CapMinutes} min`
      : `${policy.FreeMinutes} min free per charging session, at most ${policy.CapMinutes} min`;

/**
 * A Chinese vehicle plate (GB 36220 / GA 36): a province character, a letter, then 5 letters/digits
 * (6 for new-energy plates; the last may be 挂/学/警/港/澳). Spaces and a middle dot are tolerated
 * and dropped; letters are upper-cased.
 */
const PLATE = /^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$/;

/** The canonical plate, or undefined when it is not one. */
export const normalisePlate = (raw: string): string | undefined => {
  const p = raw.replace(/[\s·.]/g, '').toUpperCase();
  return PLATE.test(p) ? p : undefined;
};

/** What the service does with a waiver after the order finished or the plate changed. */
export const waiverStatusFor = (minutes: number, plate: string | undefined, applied: boolean): WaiverStatus =>
  minutes <= 0 ? WaiverStatus.None : applied ? WaiverStatus.Applied : plate ? WaiverStatus.Sending : WaiverStatus.AwaitingPlate;
