/**
 * Orders and connector locks (table `orders`; both in one table so one transaction covers them).
 *
 * Items:
 *   ORDER#<StartChargeSeq>  the order: state, tariff snapshot, running bill (`meter`: per-period totals and
 *                           the last reading, shared/domain/billing.ts RunningBill — its size follows the
 *                           periods crossed, not the samples), live values, when progress was last
 *                           published (`lastProgressAt`), final bill and energy (`energyWh`)
 *   LOCK#<ConnectorID>      the one session a connector runs (exists while an order is open), or the
 *                           reservation that holds it (extension, shared/store/reservations.ts)
 *   REFUSAL#<StartChargeSeq> a start we refused (no order was created): a repeat gets the same
 *                           answer; expires by TTL (`ttl`) after REFUSAL_TTL_DAYS
 *   COUPON#<CouponID>       a coupon issued to a partner's user (shared/domain/coupons.ts); `usedBy` =
 *                           the StartChargeSeq that used it, written in the order's creating
 *                           transaction on the condition that it is absent (used at most once)
 *
 * Access patterns:
 *   - by StartChargeSeq (every charging interface, pile events): GetItem ORDER#…
 *   - one session per connector: TransactWrite Put ORDER (attribute_not_exists) + Put LOCK (attribute_not_exists)
 *   - a partner's finished orders by end time (reconciliation, check_charge_orders: the day of an order
 *     is the China-time day of its EndTime; the order catch-up): GSI byPartner (gsi1pk =
 *     PARTNER#<OperatorID>, gsi1sk = endedAt ISO; written only when the order finishes, so the index
 *     is sparse), projecting StartChargeSeq, ConnectorID, charged, bill and confirmResult only
 *     (infra/topology/charging.ts). A day of a partner is ONE index query, never a scan.
 *   - a station's finished orders by end time (station stats, reporting): GSI byStation
 *     (gsi2pk = STATION#<StationID>, gsi2sk = endedAt ISO; written only when the order finishes),
 *     projecting ConnectorID, charged and energyWh only
 *   - the orders charging now (the stranded-session sweep, shared/domain/stranded.ts): GSI byCharging
 *     (gsi3pk = CHARGING, gsi3sk = startedAt ISO; set when the pile confirms the start, removed when
 *     the order finishes, so the index holds exactly the sessions past their start), keys only. The
 *     sweep queries the orders started before its shortest quiet time, never a scan.
 *   A meter sample writes none of the projected attributes: it costs the table write alone.
 *   - the open orders (operator console), newest first, a page at a time: the LOCK# item of an open
 *     order (one per open order, deleted when it finishes) carries gsi1pk = OPEN, gsi1sk = createdAt,
 *     so the byPartner index also holds the open orders under that one partition (GSI overloading;
 *     no partner's partition is named OPEN): a Query of it, then a BatchGet of their orders. Cost:
 *     one index write when the order starts and one when it finishes (≤ 1 WCU each); a console page
 *     reads what it shows, never the table. One partition takes 1,000 writes/s: 500 starts and
 *     finishes a second, far above this operator's rate.
 *
 * Raw meter samples are not kept (the running bill holds what billing needs); the process data
 * government reporting will need gets its own append-only place when that flow is built.
 *
 * Every transition is a conditional write on the current status, its condition taken from the
 * one transition table (ORDER_TRANSITIONS in shared/domain/charging.ts), so duplicate or late pile
 * events can never move an order backwards or write half a record.
 */

import type { OrderBill } from '../../events/orders.ts';
import { config } from '../config.ts';
import type { RunningBill, TariffPeriod } from '../domain/billing.ts';
import { allowedFrom, type FinishEvent, type OrderEvent, OrderStatus } from '../domain/charging.ts';
import type { Coupon } from '../domain/coupons.ts';
import type { Payment } from '../domain/pay-after.ts';
import type { StrandedCause } from '../domain/stranded.ts';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from './doc.ts';
import { conditionalSend, conditionalWrite, dynamo, isConditionalFailure, isTransactionConflict } from './dynamo.ts';
import { useReservationItem } from './reservations.ts';

export interface LiveValues {
  at: string;
  currentA: number;
  voltageA: number;
  soc: number;
  powerKw: number;
}

export interface Order {
  StartChargeSeq: string;
  ConnectorID: string;
  StationID: string;
  EquipmentID: string;
  /** the partner that created it */
  OperatorID: string;
  status: OrderStatus;
  createdAt: string;
  startedAt?: string;
  stopRequestedAt?: string;
  endedAt?: string;
  tariff: TariffPeriod[];
  /** the running bill since the confirmed start (absent before it) */
  meter?: RunningBill;
  /** the sample time (epoch ms) of the last OrderProgress published */
  lastProgressAt?: number;
  /** energy delivered, Wh (set when the order finishes) */
  energyWh?: number;
  live?: LiveValues;
  /** a partner asked to stop before the pile confirmed the start: stop as soon as it does */
  stopRequested?: boolean;
  stoppedByPartner?: boolean;
  charged?: boolean;
  stopReason?: number;
  finishReason?: string;
  bill?: OrderBill;
  /** the partner's ConfirmResult to notification_charge_order_info (push service) */
  confirmResult?: number;
  /** false between the finish and the publication of OrderFinished */
  finishPublished?: boolean;
  /** the prepayment, fen (query_start_charge_prepay; shared/domain/prepay.ts) */
  prepaidFen?: number;
  /** the running bill reached the prepayment and the platform stopped the session */
  prepayExhausted?: boolean;
  /** pay after charging: payable to us once finished (shared/domain/pay-after.ts) */
  payAfter?: boolean;
  /** the partner's payment of a pay-after order */
  paid?: Payment;
  /** the coupon this order used: its id and its rules (shared/domain/coupons.ts) */
  coupon?: OrderCoupon;
  /** ended by the stranded-session rule (shared/domain/stranded.ts), for this cause */
  stranded?: StrandedCause;
  /** the pile's own stop, reported after the stranded-session rule had ended the order: recorded, not billed */
  lateStop?: LateStop;
  /** the reservation this order used (extension): its fee is billed on the order (shared/domain/billing.ts addReservationFee) */
  reservation?: OrderReservation;
  /** the invoice that covers this order (extension, shared/store/invoices.ts): at most one */
  invoiceSeq?: string;
  /** plug-and-charge (ours): the car the charger reported and the partner bound (shared/domain/vin.ts) */
  car?: OrderCar;
}

export interface OrderCar {
  Vin: string;
  PlateNum?: string;
}

export interface LateStop {
  /** when the pile says the session stopped */
  at: string;
  /** its final meter reading, Wh (the order's bill ends at its last reading before the rule) */
  energyWh: number;
  cause: string;
  /** when it reached us */
  receivedAt: string;
}

export interface OrderReservation {
  ReserveSeq: string;
  feeFen: number;
  /** when the reservation was made (the fee line's start) */
  reservedAt: string;
}

export type OrderCoupon = Pick<Coupon, 'couponId' | 'kind' | 'offFen' | 'percent' | 'capFen'>;

const table = () => config().tableName('orders');

/**
 * The condition "the order's status allows `event`", from the transition table:
 * `#s IN (:s1, :s2)` with `#s` = status and one value per allowed status.
 */
export const statusCondition = (event: OrderEvent): { expression: string; values: Record<string, OrderStatus> } => {
  const from = allowedFrom(event);
  return {
    expression: `#s IN (${from.map((st) => `:s${st}`).join(', ')})`,
    values: Object.fromEntries(from.map((st) => [`:s${st}`, st])),
  };
};
const orderKey = (seq: string) => ({ pk: `ORDER#${seq}` });
const lockKey = (connectorId: string) => ({ pk: `LOCK#${connectorId}` });
/** byPartner's partition of the open orders (their LOCK# items) */
const OPEN_ORDERS = 'OPEN';

/** the one partition of the byCharging index (a start and a finish write it: far below a partition's 1,000 writes/s) */
const CHARGING_PK = 'CHARGING';

/**
 * The tariff as the order item stores it: one `[startTime, elecPrice, servicePrice]` per period
 * (issue 9 §2). Every sample rewrites the whole order item and DynamoDB bills a write per started
 * KB of it; as `{startTime, elecPrice, servicePrice}` objects a 7-period tariff is ~347 B of a
 * ~830 B charging order, as tuples ~135 B, so a longer tariff, a coupon, a car or a reservation
 * keeps a sample at 1 WCU. The shape is ours (not a wire format); items written before, with the
 * objects, are read as they are. Deployed in two steps: this release reads both shapes and still
 * writes objects (createOrder); the tuple write follows once every reader is on this release.
 */
type StoredPeriod = readonly [startTime: string, elecPrice: number, servicePrice: number];

export const storedTariff = (t: readonly TariffPeriod[]): StoredPeriod[] => t.map((p) => [p.startTime, p.elecPrice, p.servicePrice]);

/** a stored tariff, either shape (tuples, or the objects of an item written before) */
export const tariffOf = (stored: readonly (StoredPeriod | TariffPeriod)[]): TariffPeriod[] =>
  stored.map((p) => (Array.isArray(p) ? { startTime: p[0], elecPrice: p[1], servicePrice: p[2] } : (p as TariffPeriod)));

/** An order item as the code sees it: keys and index attributes dropped, the tariff as periods. */
export const orderOfItem = (item: Record<string, unknown>): Order => {
  const { pk: _pk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, gsi3pk: _e, gsi3sk: _f, ...rest } = item;
  if (Array.isArray(rest.tariff)) rest.tariff = tariffOf(rest.tariff);
  return rest as unknown as Order;
};

export const getOrder = async (seq: string, consistent = true): Promise<Order | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: orderKey(seq), ConsistentRead: consistent }));
  return res.Item ? orderOfItem(res.Item) : undefined;
};

export type CreateResult =
  | { outcome: 'created'; order: Order }
  | { outcome: 'duplicate'; order: Order }
  | { outcome: 'busy'; holder?: string; reservedBy?: { ReserveSeq: string; OperatorID: string } }
  | { outcome: 'coupon-used'; by?: string };

/**
 * Create the order and take the connector's lock in one transaction. Exactly one of any number of
 * concurrent starts on a connector wins; the same StartChargeSeq again returns the existing order.
 */
export const createOrder = async (
  o: Pick<
    Order,
    | 'StartChargeSeq'
    | 'ConnectorID'
    | 'StationID'
    | 'EquipmentID'
    | 'OperatorID'
    | 'tariff'
    | 'prepaidFen'
    | 'payAfter'
    | 'coupon'
    | 'reservation'
    | 'car'
  >,
  now: Date,
  /** the partner's own reservation of the connector (extension): the order takes its lock and marks it used */
  reserveSeq?: string,
): Promise<CreateResult> => {
  const order: Order = { ...o, status: OrderStatus.Starting, createdAt: now.toISOString() };
  for (let attempt = 0; ; attempt++) {
    // a lapsed reservation never holds a connector; the partner's own one is taken over by its start
    const lockFree = `attribute_not_exists(pk) OR (attribute_not_exists(StartChargeSeq) AND (reservedUntilMs <= :now${reserveSeq ? ' OR ReserveSeq = :resv' : ''}))`;
    try {
      await dynamo().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table(),
                // periods as objects still: this release reads tuples (orderOfItem), the next writes
                // them (storedTariff); writing them now would break a rollback, or the consumers of
                // the previous release still draining, on every order created meanwhile
                Item: { ...orderKey(o.StartChargeSeq), ...order },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: table(),
                Item: {
                  ...lockKey(o.ConnectorID),
                  StartChargeSeq: o.StartChargeSeq,
                  OperatorID: o.OperatorID,
                  createdAt: order.createdAt,
                  // the open orders' partition of byPartner (the operator console's live sessions)
                  gsi1pk: OPEN_ORDERS,
                  gsi1sk: order.createdAt,
                },
                ConditionExpression: lockFree,
                ExpressionAttributeValues: { ':now': now.getTime(), ...(reserveSeq ? { ':resv': reserveSeq } : {}) },
              },
            },
            ...(reserveSeq ? [useReservationItem(reserveSeq, o.StartChargeSeq, order.createdAt)] : []),
            // the coupon is used by this order, or the whole start is not written
            ...(o.coupon
              ? [
                  {
                    Update: {
                      TableName: table(),
                      Key: couponKey(o.coupon.couponId),
                      UpdateExpression: 'SET usedBy = :seq, usedAt = :at',
                      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedBy)',
                      ExpressionAttributeValues: { ':seq': o.StartChargeSeq, ':at': order.createdAt },
                    },
                  },
                ]
              : []),
          ],
        }),
      );
      return { outcome: 'created', order };
    } catch (err) {
      // a failed condition, or (in AWS, under contention) a TransactionConflict: look at what is there
      if (!isConditionalFailure(err) && !isTransactionConflict(err)) throw err;
      const existing = await getOrder(o.StartChargeSeq);
      if (existing) return { outcome: 'duplicate', order: existing };
      const lock = await dynamo().send(new GetCommand({ TableName: table(), Key: lockKey(o.ConnectorID), ConsistentRead: true }));
      if (lock.Item?.StartChargeSeq) return { outcome: 'busy', holder: String(lock.Item.StartChargeSeq) };
      // another partner's reservation that has not lapsed (or one's own, used or cancelled meanwhile)
      if (lock.Item?.ReserveSeq && Number(lock.Item.reservedUntilMs) > now.getTime())
        return {
          outcome: 'busy',
          holder: `reservation ${String(lock.Item.ReserveSeq)}`,
          reservedBy: { ReserveSeq: String(lock.Item.ReserveSeq), OperatorID: String(lock.Item.OperatorID) },
        };
      // the reservation was cancelled or lapsed meanwhile: start as on any free connector (and no fee)
      reserveSeq = undefined;
      delete order.reservation;
      if (o.coupon) {
        const used = (await getCoupon(o.coupon.couponId))?.usedBy;
        if (used) return { outcome: 'coupon-used', by: used };
      }
      // neither the order nor a lock: the conflicting writer lost too, or released already — try again
      if (attempt >= 4) throw err;
      await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
    }
  }
};

const REFUSAL_TTL_DAYS = 7;

export interface Refusal {
  StartChargeSeq: string;
  ConnectorID: string;
  OperatorID: string;
  failReason: number;
  at: string;
}

/** Remember a refused start; returns the refusal that stands (an earlier one wins). */
export const recordRefusal = async (r: Refusal): Promise<Refusal> => {
  const stored = await conditionalWrite(
    dynamo(),
    new PutCommand({
      TableName: table(),
      Item: { pk: `REFUSAL#${r.StartChargeSeq}`, ...r, ttl: Math.floor(Date.parse(r.at) / 1000) + REFUSAL_TTL_DAYS * 86_400 },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return stored ? r : ((await getRefusal(r.StartChargeSeq)) ?? r);
};

export const getRefusal = async (seq: string): Promise<Refusal | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `REFUSAL#${seq}` }, ConsistentRead: true }));
  if (!res.Item) return undefined;
  const { pk: _pk, ttl: _ttl, ...rest } = res.Item;
  return rest as Refusal;
};

const couponKey = (couponId: string) => ({ pk: `COUPON#${couponId}` });

/** A coupon and who used it. */
export type StoredCoupon = Coupon & { usedBy?: string; usedAt?: string };

/** Issue a coupon (validated by the caller against couponSchema); false when its CouponID exists. */
export const putCoupon = (c: Coupon): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new PutCommand({ TableName: table(), Item: { ...couponKey(c.couponId), ...c }, ConditionExpression: 'attribute_not_exists(pk)' }),
  );

export const getCoupon = async (couponId: string): Promise<StoredCoupon | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: couponKey(couponId), ConsistentRead: true }));
  if (!res.Item) return undefined;
  const { pk: _pk, ...rest } = res.Item;
  return rest as StoredCoupon;
};

/** Run a conditional update; false when the condition did not hold (a late or duplicate event). */
const conditional = (cmd: UpdateCommand): Promise<boolean> => conditionalWrite(dynamo(), cmd);

/**
 * starting → charging, with the running bill of the first sample (0 Wh at the start time). Returns
 * the order after the write (so a stop requested meanwhile is seen), or undefined when the order was
 * not starting.
 */
export const markCharging = async (seq: string, startedAt: Date, meter: RunningBill): Promise<Order | undefined> => {
  const when = statusCondition('pile-accepted');
  const res = await conditionalSend(
    dynamo(),
    new UpdateCommand({
      TableName: table(),
      Key: orderKey(seq),
      ReturnValues: 'ALL_NEW',
      // gsi3: the byCharging index of the stranded-session sweep, until the order finishes
      UpdateExpression: 'SET #s = :charging, startedAt = :at, meter = :meter, gsi3pk = :g3pk, gsi3sk = :at',
      ConditionExpression: when.expression,
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: {
        ...when.values,
        ':charging': OrderStatus.Charging,
        ':at': startedAt.toISOString(),
        ':meter': meter,
        ':g3pk': CHARGING_PK,
      },
    }),
  );
  return res?.Attributes ? orderOfItem(res.Attributes) : undefined;
};

export type SampleWrite = { outcome: 'recorded'; order: Order } | { outcome: 'conflict' };

/**
 * Record a meter sample: the running bill after it (`next`, folded from `prev` by the caller), the
 * live values, and — when `progressAt` is given — that this sample's progress is published (the
 * notification_equip_charge_status throttle, decided with the same write). ONE conditional update,
 * on the order being open and its running bill still being `prev` (optimistic: a concurrent sample
 * or a stale read makes it a conflict, and the caller folds again on a fresh read).
 */
export const recordSample = async (
  seq: string,
  prev: RunningBill,
  next: RunningBill,
  live: LiveValues,
  progressAt?: number,
): Promise<SampleWrite> => {
  const when = statusCondition('meter-sample');
  const res = await conditionalSend(
    dynamo(),
    new UpdateCommand({
      TableName: table(),
      Key: orderKey(seq),
      ReturnValues: 'ALL_NEW',
      UpdateExpression: `SET meter = :next, live = :live${progressAt === undefined ? '' : ', lastProgressAt = :p'}`,
      ConditionExpression: `${when.expression} AND meter.t = :t AND meter.n = :n`,
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: {
        ...when.values,
        ':next': next,
        ':live': live,
        ':t': prev.t,
        ':n': prev.n,
        ...(progressAt === undefined ? {} : { ':p': progressAt }),
      },
    }),
  );
  return res?.Attributes ? { outcome: 'recorded', order: orderOfItem(res.Attributes) } : { outcome: 'conflict' };
};

/** charging → stopping: a partner's stop, or the platform's when the running bill reached the prepayment. */
export const markStopping = (seq: string, now: Date, by: 'partner' | 'prepay' = 'partner'): Promise<boolean> =>
  conditional(
    new UpdateCommand({
      TableName: table(),
      Key: orderKey(seq),
      UpdateExpression: `SET #s = :stopping, stopRequestedAt = :now, ${by === 'partner' ? 'stoppedByPartner' : 'prepayExhausted'} = :true`,
      ConditionExpression: statusCondition('stop-requested').expression,
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: {
        ...statusCondition('stop-requested').values,
        ':stopping': OrderStatus.Stopping,
        ':now': now.toISOString(),
        ':true': true,
      },
    }),
  );

/** A stop asked for while the start is not confirmed yet: remembered, executed when the pile confirms. */
export const requestStopWhileStarting = (seq: string, now: Date): Promise<boolean> =>
  conditional(
    new UpdateCommand({
      TableName: table(),
      Key: orderKey(seq),
      UpdateExpression: 'SET stopRequested = :true, stopRequestedAt = :now, stoppedByPartner = :true',
      ConditionExpression: statusCondition('stop-requested-while-starting').expression,
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ...statusCondition('stop-requested-while-starting').values, ':now': now.toISOString(), ':true': true },
    }),
  );

export interface Finish {
  /**
   * what finishes the order: the statuses it applies to come from the transition table (a late
   * refusal or start timeout can never close a session that is charging)
   */
  event: FinishEvent;
  endedAt: Date;
  stopReason: number;
  finishReason: string;
  charged: boolean;
  bill: OrderBill;
  /** the running bill with the final reading folded in (when the order charged) */
  meter?: RunningBill;
  /** energy delivered, Wh */
  energyWh: number;
  /** the order was ended by the stranded-session rule, for this cause (shared/domain/stranded.ts) */
  stranded?: StrandedCause;
  /** only if the running bill's last reading is still this one (epoch ms): a reading that came meanwhile keeps the order */
  ifLastReadingAt?: number;
}

/**
 * The order → finished(4), and the connector's lock released, in one transaction. Returns false
 * when the order's status does not allow the event (already finished: a duplicate stop event).
 */
export const finishOrder = async (order: Order, f: Finish): Promise<boolean> => {
  const endedAt = f.endedAt.toISOString();
  const when = statusCondition(f.event);
  return conditionalWrite(
    dynamo(),
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: table(),
            Key: orderKey(order.StartChargeSeq),
            UpdateExpression: `SET #s = :finished, endedAt = :endedAt, stopReason = :sr, finishReason = :fr, charged = :charged, bill = :bill, energyWh = :wh, finishPublished = :false, gsi1pk = :g1pk, gsi1sk = :endedAt, gsi2pk = :g2pk, gsi2sk = :endedAt${f.meter ? ', meter = :meter' : ''}${f.stranded ? ', stranded = :stranded' : ''} REMOVE gsi3pk, gsi3sk`,
            ConditionExpression: `${when.expression}${f.ifLastReadingAt === undefined ? '' : ' AND meter.t = :lastT'}`,
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ...when.values,
              ...(f.ifLastReadingAt === undefined ? {} : { ':lastT': f.ifLastReadingAt }),
              ...(f.meter ? { ':meter': f.meter } : {}),
              ...(f.stranded ? { ':stranded': f.stranded } : {}),
              ':wh': f.energyWh,
              ':finished': OrderStatus.Finished,
              ':endedAt': endedAt,
              ':sr': f.stopReason,
              ':fr': f.finishReason,
              ':charged': f.charged,
              ':bill': f.bill,
              ':g1pk': `PARTNER#${order.OperatorID}`,
              ':g2pk': `STATION#${order.StationID}`,
              ':false': false,
            },
          },
        },
        {
          Delete: {
            TableName: table(),
            Key: lockKey(order.ConnectorID),
            ConditionExpression: 'attribute_not_exists(pk) OR StartChargeSeq = :seq',
            ExpressionAttributeValues: { ':seq': order.StartChargeSeq },
          },
        },
      ],
    }),
  );
};

/**
 * The pile's own stop of an order the stranded-session rule ended: recorded once (the first report
 * wins; a redelivery changes nothing), the bill untouched. False when the order is not a stranded
 * one or the stop is already recorded.
 */
export const recordLateStop = (seq: string, stop: LateStop): Promise<boolean> =>
  conditional(
    new UpdateCommand({
      TableName: table(),
      Key: orderKey(seq),
      UpdateExpression: 'SET lateStop = :stop',
      ConditionExpression: '#s = :finished AND attribute_exists(stranded) AND attribute_not_exists(lateStop)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':stop': stop, ':finished': OrderStatus.Finished },
    }),
  );

/**
 * The StartChargeSeqs of the orders charging since before `startedBefore` (byCharging: keys only,
 * page by page; eventually consistent — the sweep reads each order itself before acting).
 */
export async function* chargingSince(startedBefore: Date): AsyncGenerator<string[]> {
  const pages = paginateQuery(
    { client: dynamo(), pageSize: 1000 },
    {
      TableName: table(),
      IndexName: 'byCharging',
      KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :before',
      ExpressionAttributeValues: { ':pk': CHARGING_PK, ':before': startedBefore.toISOString() },
    },
  );
  for await (const page of pages) yield (page.Items ?? []).map((i) => String(i.pk).slice('ORDER#'.length));
}

/** The order's OrderFinished event has been published (a redelivery re-publishes it until then). */
export const markFinishPublished = (seq: string): Promise<boolean> =>
  conditional(
    new UpdateCommand({
      TableName: table(),
      Key: orderKey(seq),
      UpdateExpression: 'SET finishPublished = :true',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':true': true },
    }),
  );

/**
 * Record the partner's payment of a finished pay-after order: ONE conditional write (finished,
 * pay-after, not paid yet), so two payments racing record exactly one. False when the condition did
 * not hold (the caller reads the order again and answers from what is there).
 */
export const markPaid = (seq: string, payment: Payment): Promise<boolean> =>
  conditional(
    new UpdateCommand({
      TableName: table(),
      Key: orderKey(seq),
      UpdateExpression: 'SET paid = :paid',
      ConditionExpression: '#s = :finished AND payAfter = :true AND attribute_not_exists(paid)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':paid': payment, ':finished': OrderStatus.Finished, ':true': true },
    }),
  );

/** Store the partner's ConfirmResult for notification_charge_order_info. */
export const recordConfirmResult = (seq: string, confirmResult: number, at: Date): Promise<boolean> =>
  conditional(
    new UpdateCommand({
      TableName: table(),
      Key: orderKey(seq),
      UpdateExpression: 'SET confirmResult = :c, confirmedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':c': confirmResult, ':at': at.toISOString() },
    }),
  );

/** Every item of an index partition whose ISO sort key lies in [from, to) (the attributes the index projects). */
const queryRange = async (index: string, pkAttr: string, skAttr: string, pk: string, from: Date, to: Date): Promise<Partial<Order>[]> => {
  const out: Partial<Order>[] = [];
  const pages = paginateQuery(
    { client: dynamo() },
    {
      TableName: table(),
      IndexName: index,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': pkAttr, '#sk': skAttr },
      ExpressionAttributeValues: { ':pk': pk, ':from': from.toISOString(), ':to': new Date(to.getTime() - 1).toISOString() },
    },
  );
  for await (const page of pages) for (const item of page.Items ?? []) out.push(orderOfItem(item));
  return out;
};

/** Finished orders of a station whose end time lies in [from, to) — station stats: what byStation projects. */
export const finishedOrdersOfStation = (
  stationId: string,
  from: Date,
  to: Date,
): Promise<Array<Partial<Pick<Order, 'ConnectorID' | 'charged' | 'energyWh'>>>> =>
  queryRange('byStation', 'gsi2pk', 'gsi2sk', `STATION#${stationId}`, from, to);

/** A finished order as reconciliation reads it from byPartner. */
export type PartnerOrder = Pick<Order, 'StartChargeSeq' | 'ConnectorID' | 'OperatorID' | 'endedAt' | 'charged' | 'confirmResult'> & {
  bill?: Pick<OrderBill, 'TotalPower' | 'TotalMoney'>;
};

/**
 * Finished orders of a partner whose end time lies in [from, to): one byPartner query, page by
 * page (a day of 100,000 orders streams through without being held twice); only the attributes
 * reconciliation needs are returned (ProjectionExpression over the index's projection).
 */
export async function* finishedOrdersOfPartner(partner: string, from: Date, to: Date): AsyncGenerator<PartnerOrder[]> {
  const pages = paginateQuery(
    { client: dynamo(), pageSize: 1000 },
    {
      TableName: table(),
      IndexName: 'byPartner',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
      ProjectionExpression: 'StartChargeSeq, ConnectorID, endedAt, charged, confirmResult, bill.TotalPower, bill.TotalMoney',
      ExpressionAttributeValues: {
        ':pk': `PARTNER#${partner}`,
        ':from': from.toISOString(),
        ':to': new Date(to.getTime() - 1).toISOString(),
      },
    },
  );
  for await (const page of pages) yield (page.Items ?? []).map((i) => ({ ...(i as PartnerOrder), OperatorID: partner }));
}

/** StartChargeSeqs of a station's finished orders whose end time lies in [from, to) (byStation; supervision exports). */
export const finishedSeqsOfStation = async (stationId: string, from: Date, to: Date): Promise<string[]> => {
  const out: string[] = [];
  const pages = paginateQuery(
    { client: dynamo() },
    {
      TableName: table(),
      IndexName: 'byStation',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
      ProjectionExpression: 'pk',
      ExpressionAttributeValues: {
        ':pk': `STATION#${stationId}`,
        ':from': from.toISOString(),
        ':to': new Date(to.getTime() - 1).toISOString(),
      },
    },
  );
  for await (const page of pages) for (const item of page.Items ?? []) out.push(String(item.pk).slice('ORDER#'.length));
  return out;
};

/**
 * Whole orders by StartChargeSeq (BatchGetItem, 100 per call, unprocessed keys retried); unknown ones
 * left out. `consistent`: strongly consistent reads (twice the read units of eventually consistent
 * ones; still one request per 100 keys instead of one GetItem each).
 */
export const getOrders = async (seqs: readonly string[], { consistent = false } = {}): Promise<Order[]> => {
  const out: Order[] = [];
  for (let i = 0; i < seqs.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = seqs.slice(i, i + 100).map(orderKey);
    for (let attempt = 0; keys?.length && attempt < 8; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      const res: BatchGetCommandOutput = await dynamo().send(
        new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys, ...(consistent ? { ConsistentRead: true } : {}) } } }),
      );
      for (const item of res.Responses?.[table()] ?? []) out.push(orderOfItem(item));
      keys = res.UnprocessedKeys?.[table()]?.Keys;
    }
    if (keys?.length) throw new Error(`orders: ${keys.length} order(s) left unprocessed by BatchGet`);
  }
  return out;
};

/** a page of a query and where the next one starts (DynamoDB's LastEvaluatedKey; absent: the last page) */
export interface OrdersPage<T> {
  items: T[];
  next?: Record<string, string>;
}

const newestFirst = (a: { createdAt?: string }, b: { createdAt?: string }) => String(b.createdAt).localeCompare(String(a.createdAt));

/**
 * A page of the open orders, newest first (the LOCK# items in byPartner's OPEN partition; a
 * reservation's LOCK# is not there), then a BatchGet of their orders — the operator console's live
 * sessions. An order that finished between the two reads is left out.
 */
export const openOrdersPage = async (limit: number, after?: Record<string, string>): Promise<OrdersPage<Order>> => {
  const res = await dynamo().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'byPartner',
      KeyConditionExpression: 'gsi1pk = :open',
      ProjectionExpression: 'StartChargeSeq',
      ExpressionAttributeValues: { ':open': OPEN_ORDERS },
      ScanIndexForward: false,
      Limit: limit,
      ...(after ? { ExclusiveStartKey: after } : {}),
    }),
  );
  const seqs = (res.Items ?? []).flatMap((i) => (typeof i.StartChargeSeq === 'string' ? [i.StartChargeSeq] : []));
  const orders = (await getOrders(seqs)).filter((o) => o.status !== OrderStatus.Finished).sort(newestFirst);
  return { items: orders, ...(res.LastEvaluatedKey ? { next: res.LastEvaluatedKey as Record<string, string> } : {}) };
};

/** A page of a partner's finished orders whose end time lies in [from, to), newest first (byPartner). */
export const finishedOrdersOfPartnerPage = async (
  partner: string,
  from: Date,
  to: Date,
  limit: number,
  after?: Record<string, string>,
): Promise<OrdersPage<PartnerOrder>> => {
  const res = await dynamo().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'byPartner',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
      ProjectionExpression: 'StartChargeSeq, ConnectorID, endedAt, charged, confirmResult, bill',
      ExpressionAttributeValues: {
        ':pk': `PARTNER#${partner}`,
        ':from': from.toISOString(),
        ':to': new Date(to.getTime() - 1).toISOString(),
      },
      ScanIndexForward: false,
      Limit: limit,
      ...(after ? { ExclusiveStartKey: after } : {}),
    }),
  );
  return {
    items: (res.Items ?? []).map((i) => ({ ...(i as PartnerOrder), OperatorID: partner })),
    ...(res.LastEvaluatedKey ? { next: res.LastEvaluatedKey as Record<string, string> } : {}),
  };
};
