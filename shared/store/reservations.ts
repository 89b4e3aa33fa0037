/**
 * Reservations (extension) in the `orders` table, beside the orders and the connector locks, so ONE
 * item decides who may start on a connector:
 *
 *   RESV#<ReserveSeq>   the reservation: connector, partner, minutes, expiry, fee, no-show charge,
 *                       ReserveStat (1 active, 2 used, 3 cancelled, 4 expired — written by the scheduled
 *                       expiry with its `chargedFen`, read as expired from the instant it lapses:
 *                       shared/domain/reservation.ts reserveStatAt —, 5 refused by the charger);
 *                       expires by TTL 7 days after. While active it is in the byCharging index under
 *                       its own partition (gsi3pk = RESERVED, gsi3sk = expiresAt; GSI overloading: no
 *                       order's partition is named so), which the expiry queries for the lapsed ones
 *   LOCK#<ConnectorID>  while reserved: { ReserveSeq, OperatorID, reservedUntilMs } — the same item an
 *                       order takes (shared/store/orders.ts createOrder), so a connector is held by
 *                       at most one order OR one reservation. A lapsed reservation's lock counts as
 *                       free in every condition (`reservedUntilMs <= now`) and is dropped by TTL.
 *
 * Writes:
 *   - reserve: TransactWrite Put RESV (attribute_not_exists) + Put LOCK (absent, or a lapsed reservation)
 *   - start on one's own reservation: createOrder's Put LOCK (allowed over a reservation of the same
 *     partner) + Update RESV stat 1 → 2, one transaction
 *   - cancel: TransactWrite Update RESV stat 1 → 3 (not lapsed) + Delete LOCK (if still this reservation)
 *   - the charger refused it: TransactWrite Update RESV stat 1 → 5 + Delete LOCK (if still this reservation's)
 *   - expiry (a no-show): Update RESV stat 1 → 4 + chargedFen, only if still active and lapsed — the
 *     lapsed LOCK is free in every condition already (and may be another's by now): left to its TTL
 *   every end removes gsi3pk/gsi3sk, so the index holds the active reservations only
 */

import { config } from '../config.ts';
import { ReserveStat } from '../domain/reservation.ts';
import { GetCommand, paginateQuery, TransactWriteCommand, UpdateCommand } from './doc.ts';
import { dynamo, isConditionalFailure, isTransactionConflict } from './dynamo.ts';

export interface Reservation {
  ReserveSeq: string;
  ConnectorID: string;
  StationID: string;
  OperatorID: string;
  minutes: number;
  createdAt: string;
  expiresAt: string;
  feeFen: number;
  /** what the reservation bills if it expires unused (shared/domain/billing.ts noShowChargeFen); absent on older records: feeFen */
  noShowFen?: number;
  /** ReserveStat 4: what the expiry billed (shared/domain/billing.ts reservationEndChargeFen) */
  chargedFen?: number;
  stat: ReserveStat;
  endedAt?: string;
  /** ReserveStat 5: how the charger refused it (PileReservationRefused reason) */
  refusedBecause?: string;
}

/** a connector's lock when it is a reservation's */
export interface ReservationHold {
  ReserveSeq: string;
  OperatorID: string;
  reservedUntilMs: number;
}

const table = () => config().tableName('orders');
const resvKey = (seq: string) => ({ pk: `RESV#${seq}` });
const lockKey = (connectorId: string) => ({ pk: `LOCK#${connectorId}` });
const TTL_GRACE_S = 7 * 86_400;
/** the active reservations' partition of the orders table's byCharging index */
const RESERVED_PK = 'RESERVED';

export const getReservation = async (seq: string): Promise<Reservation | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: resvKey(seq), ConsistentRead: true }));
  if (!res.Item) return undefined;
  const { pk: _pk, ttl: _ttl, gsi3pk: _g, gsi3sk: _s, ...rest } = res.Item;
  return rest as Reservation;
};

/** The connector's active reservation at `now` (undefined: none, lapsed, or an order holds the connector). */
export const getReservationHold = async (connectorId: string, now: Date): Promise<ReservationHold | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: lockKey(connectorId), ConsistentRead: true }));
  const i = res.Item;
  if (!i || typeof i.ReserveSeq !== 'string' || i.StartChargeSeq !== undefined) return undefined;
  const until = Number(i.reservedUntilMs);
  if (!(until > now.getTime())) return undefined;
  return { ReserveSeq: i.ReserveSeq, OperatorID: String(i.OperatorID), reservedUntilMs: until };
};

export type ReserveResult =
  | { outcome: 'created' }
  | { outcome: 'duplicate'; reservation: Reservation }
  | { outcome: 'taken'; by: 'order' | 'reservation' };

/** Record the reservation and hold the connector in one transaction. */
export const createReservation = async (r: Reservation, now: Date): Promise<ReserveResult> => {
  const untilMs = Date.parse(r.expiresAt);
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table(),
              Item: {
                ...resvKey(r.ReserveSeq),
                ...r,
                ttl: Math.floor(untilMs / 1000) + TTL_GRACE_S,
                gsi3pk: RESERVED_PK,
                gsi3sk: r.expiresAt,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: table(),
              Item: {
                ...lockKey(r.ConnectorID),
                ReserveSeq: r.ReserveSeq,
                OperatorID: r.OperatorID,
                reservedUntilMs: untilMs,
                ttl: Math.floor(untilMs / 1000) + TTL_GRACE_S,
              },
              ConditionExpression: 'attribute_not_exists(pk) OR (attribute_not_exists(StartChargeSeq) AND reservedUntilMs <= :now)',
              ExpressionAttributeValues: { ':now': now.getTime() },
            },
          },
        ],
      }),
    );
    return { outcome: 'created' };
  } catch (err) {
    if (!isConditionalFailure(err) && !isTransactionConflict(err)) throw err;
    const existing = await getReservation(r.ReserveSeq);
    if (existing) return { outcome: 'duplicate', reservation: existing };
    const lock = await dynamo().send(new GetCommand({ TableName: table(), Key: lockKey(r.ConnectorID), ConsistentRead: true }));
    return { outcome: 'taken', by: lock.Item?.StartChargeSeq !== undefined ? 'order' : 'reservation' };
  }
};

/**
 * End an active reservation and free its connector in one transaction: the reservation takes
 * `stat` (with `set`'s extra attributes) only if `condition` holds, the connector's hold goes only
 * if it is still this reservation's (`lockCondition`); false when either does not hold — nothing is
 * written then.
 */
const endReservation = async (
  r: Reservation,
  now: Date,
  end: { stat: ReserveStat; set?: Record<string, string>; condition: string; lockCondition: string; values?: Record<string, string> },
): Promise<boolean> => {
  const extra = Object.keys(end.set ?? {});
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table(),
              Key: resvKey(r.ReserveSeq),
              UpdateExpression: `SET stat = :stat, endedAt = :at${extra.map((k) => `, ${k} = :${k}`).join('')} REMOVE gsi3pk, gsi3sk`,
              ConditionExpression: end.condition,
              ExpressionAttributeValues: {
                ':stat': end.stat,
                ':active': ReserveStat.Active,
                ':at': now.toISOString(),
                ...Object.fromEntries(extra.map((k) => [`:${k}`, end.set?.[k]])),
                ...end.values,
              },
            },
          },
          {
            Delete: {
              TableName: table(),
              Key: lockKey(r.ConnectorID),
              ConditionExpression: end.lockCondition,
              ExpressionAttributeValues: { ':seq': r.ReserveSeq },
            },
          },
        ],
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalFailure(err) || isTransactionConflict(err)) return false;
    throw err;
  }
};

/**
 * Cancel an active reservation that has not lapsed and free its connector; false when it is no
 * longer active (used, cancelled, lapsed) — nothing is written then.
 */
export const cancelReservation = (r: Reservation, now: Date): Promise<boolean> =>
  endReservation(r, now, {
    stat: ReserveStat.Cancelled,
    condition: 'stat = :active AND expiresAt > :nowIso',
    values: { ':nowIso': now.toISOString() },
    lockCondition: 'attribute_not_exists(pk) OR ReserveSeq = :seq',
  });

/**
 * Withdraw an active reservation the charger did not take (ReserveStat 5) and free its connector, in
 * one transaction; false when it is no longer active (used by a start meanwhile, cancelled): nothing
 * is written then. A lapsed one is withdrawn too (its record then says why it never held).
 */
export const withdrawReservation = (r: Reservation, because: string, now: Date): Promise<boolean> =>
  endReservation(r, now, {
    stat: ReserveStat.Refused,
    set: { refusedBecause: because },
    condition: 'stat = :active',
    lockCondition: 'attribute_not_exists(pk) OR (ReserveSeq = :seq AND attribute_not_exists(StartChargeSeq))',
  });

/**
 * The transaction items that mark a reservation used by the order that takes its connector
 * (shared/store/orders.ts createOrder adds them to its own transaction).
 */
export const useReservationItem = (seq: string, startChargeSeq: string, at: string) => ({
  Update: {
    TableName: table(),
    Key: resvKey(seq),
    UpdateExpression: 'SET stat = :used, endedAt = :at, StartChargeSeq = :order REMOVE gsi3pk, gsi3sk',
    ConditionExpression: 'stat = :active',
    ExpressionAttributeValues: { ':used': ReserveStat.Used, ':active': ReserveStat.Active, ':at': at, ':order': startChargeSeq },
  },
});

/**
 * The ReserveSeqs of the reservations still active whose expiry is at or before `now` (byCharging,
 * keys only, page by page; eventually consistent — the expiry reads each one itself before acting).
 */
export async function* lapsedReservations(now: Date): AsyncGenerator<string[]> {
  const pages = paginateQuery(
    { client: dynamo(), pageSize: 1000 },
    {
      TableName: table(),
      IndexName: 'byCharging',
      KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk <= :now',
      ExpressionAttributeValues: { ':pk': RESERVED_PK, ':now': now.toISOString() },
    },
  );
  for await (const page of pages) yield (page.Items ?? []).map((i) => String(i.pk).slice('RESV#'.length));
}

/**
 * Settle a lapsed, unused reservation: stat 1 → 4 (expired) with what it bills (`chargedFen`), only
 * if it is still active and has lapsed at `now` — so a second expiry run, or one racing the
 * partner's start or cancel, writes nothing (false). A billed no-show is a billing record: it loses
 * its TTL and stays.
 */
export const expireReservation = async (r: Reservation, chargedFen: number, now: Date): Promise<boolean> => {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: resvKey(r.ReserveSeq),
        UpdateExpression: `SET stat = :expired, endedAt = :endedAt, chargedFen = :fen REMOVE gsi3pk, gsi3sk${chargedFen > 0 ? ', #ttl' : ''}`,
        ...(chargedFen > 0 ? { ExpressionAttributeNames: { '#ttl': 'ttl' } } : {}),
        ConditionExpression: 'stat = :active AND expiresAt <= :now',
        ExpressionAttributeValues: {
          ':expired': ReserveStat.Expired,
          ':active': ReserveStat.Active,
          ':endedAt': r.expiresAt,
          ':fen': chargedFen,
          ':now': now.toISOString(),
        },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalFailure(err)) return false;
    throw err;
  }
};
