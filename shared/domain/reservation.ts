/**
 * Reservation (预约充电) — the pure rules (shared/services/reservation.ts applies them with the
 * orders table, the connector view and the bus).
 *
 *   - a station takes reservations only when its seed/import lists a `ReservationPolicy`
 *     ({ MaxMinutes, Fee?, FeePerMinute? }); ReserveMinutes must lie within 1…MaxMinutes;
 *   - only an idle connector (Status 1) can be reserved; plugged/charging → busy, 4 → already
 *     reserved, offline/fault → refused;
 *   - a reservation is active until it is used by a start of the SAME partner, cancelled, refused by
 *     the charger (OCPP ReserveNow answered other than Accepted, or not at all: withdrawn), or its
 *     expiry passes: expiry is a comparison with `now` wherever it matters (no job has to run for a
 *     lapsed reservation to stop counting), and the pile lets it lapse at the same instant
 *     (OCPP ReserveNow carries the expiryDate);
 *   - the fee is computed by the billing module (shared/domain/billing.ts `reservationFeeFen`); what a
 *     reservation bills depends on how it ended — ONE rule (billing.ts `reservationEndChargeFen`):
 *     used by its start → its fee, as a line of that order; expired unused (a no-show) → its fee plus
 *     the policy's `NoShowFee`, billed on the reservation itself once the scheduled expiry settles it
 *     (ReserveStat 4 written with `chargedFen`; shared/services/reservation.ts `expireReservations`);
 *     cancelled before it lapsed, or refused by the charger → nothing.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { decimalPlaces } from '../tcec/money.ts';
import { ConnectorState } from './charging.ts';
import { once } from './once.ts';

// zod/mini carries no messages of its own: the English ones, as full zod (an unknown key's Msg)
z.config(en());

/** A station's reservation policy (seed `stations[].ReservationPolicy`, validated on import); built on first use. */
export const reservationPolicySchema = /* @__PURE__ */ once(() =>
  z.strictObject({
    /** the longest reservation the station grants, minutes */
    MaxMinutes: z
      .number({ error: 'must be a number' })
      .check(z.int('must be an integer'), z.minimum(1, 'must be ≥ 1'), z.maximum(1440, 'at most 1440')),
    /** a fixed fee per reservation, yuan (2 dp) */
    Fee: z.optional(
      z.number({ error: 'must be a number' }).check(
        z.minimum(0, 'must be ≥ 0'),
        z.maximum(1000, 'at most 1000'),
        z.refine((v) => decimalPlaces(v) <= 2, 'at most 2 decimals'),
      ),
    ),
    /** a fee per reserved minute, yuan (4 dp, like a PolicyInfos price) */
    FeePerMinute: z.optional(
      z.number({ error: 'must be a number' }).check(
        z.minimum(0, 'must be ≥ 0'),
        z.maximum(100, 'at most 100'),
        z.refine((v) => decimalPlaces(v) <= 4, 'at most 4 decimals'),
      ),
    ),
    /** billed on top of the reservation fee when the reservation expires unused (a no-show), yuan (2 dp) */
    NoShowFee: z.optional(
      z.number({ error: 'must be a number' }).check(
        z.minimum(0, 'must be ≥ 0'),
        z.maximum(1000, 'at most 1000'),
        z.refine((v) => decimalPlaces(v) <= 2, 'at most 2 decimals'),
      ),
    ),
  }),
);
export type ReservationPolicy = z.infer<ReturnType<typeof reservationPolicySchema>>;

/** query_reserve_connector FailReason (ours, docs/conformance.md). */
export const ReserveFail = {
  None: 0,
  NoConnector: 1,
  NotReservable: 2,
  TooLong: 3,
  Busy: 4,
  AlreadyReserved: 5,
  Unavailable: 6,
  /** (a repeat of the ReserveSeq) the charger refused the reservation or never answered: it was withdrawn */
  ChargerRefused: 7,
} as const;

/** query_cancel_reservation FailReason (ours). */
export const CancelFail = { None: 0, NotFound: 1, Ended: 2 } as const;

/** ReserveStat: 1 active, 2 used by a session, 3 cancelled, 4 expired, 5 refused by the charger (withdrawn). */
export const ReserveStat = { Active: 1, Used: 2, Cancelled: 3, Expired: 4, Refused: 5 } as const;
export type ReserveStat = (typeof ReserveStat)[keyof typeof ReserveStat];

export interface ReserveFacts {
  /** the connector exists and the partner is granted its station */
  known: boolean;
  status?: number;
  policy?: ReservationPolicy | undefined;
  minutes: number;
}

export const reserveDecision = (f: ReserveFacts): number => {
  if (!f.known) return ReserveFail.NoConnector;
  if (!f.policy) return ReserveFail.NotReservable;
  if (f.minutes > f.policy.MaxMinutes) return ReserveFail.TooLong;
  switch (f.status) {
    case ConnectorState.Idle:
      return ReserveFail.None;
    case ConnectorState.Plugged:
    case ConnectorState.Charging:
      return ReserveFail.Busy;
    case ConnectorState.Reserved:
      return ReserveFail.AlreadyReserved;
    default:
      return ReserveFail.Unavailable;
  }
};

/** The state of a stored reservation at `now`: an active one past its expiry has expired. */
export const reserveStatAt = (r: { stat: ReserveStat; expiresAt: string }, now: Date): ReserveStat =>
  r.stat === ReserveStat.Active && Date.parse(r.expiresAt) <= now.getTime() ? ReserveStat.Expired : r.stat;

const SEQ_LENGTH = 27;

/** A ReserveSeq we accept: like StartChargeSeq, 27 letters/digits starting with the caller's OperatorID. */
export const checkReserveSeq = (seq: string, operatorId: string): string | undefined => {
  if (seq.length !== SEQ_LENGTH) return `ReserveSeq: must be ${SEQ_LENGTH} characters (got ${seq.length})`;
  if (!seq.startsWith(operatorId)) return `ReserveSeq: must start with the caller's OperatorID ${operatorId}`;
  if (!/^[0-9A-Za-z]+$/.test(seq)) return 'ReserveSeq: letters and digits only';
  return undefined;
};

/**
 * The status a start decision should see for a connector the partner itself reserved: its own
 * reservation makes a reserved connector (Status 4) startable, as idle. Anyone else sees it as it is.
 */
export const statusForStart = (status: number, ownReservation: boolean): number =>
  ownReservation && status === ConnectorState.Reserved ? ConnectorState.Idle : status;
