/**
 * The parking service's table (`parking`): ground-lock states and parking fee waivers.
 *
 *   LOCK#<StationID>#<LockNum>  a lock's state: lockStatus (0/10/50), the drop in force (dropCode,
 *                               dropOperatorId, droppedAt), fault, rev (+1 with every state
 *                               recorded: orders the lock's reports to the connector status),
 *                               the last drop the car park's system did not answer (dropFailure:
 *                               no state, no revision; cleared by the next state recorded);
 *                               absent = raised and healthy
 *   WAIVER#<StartChargeSeq>     an order's waiver: partner, station, minutes earned, plate, status
 *                               (shared/domain/parking.ts WaiverStatus), appliedAt, the gate's last error
 *
 * Writes are conditional where two callers can race: a drop takes the lock only when no other
 * partner's drop is in force; a raise clears only the drop it was asked for; a waiver is created
 * once per order (the order-finished event is delivered at least once).
 */

import { config } from '../config.ts';
import { type LockState, LockStatus } from '../domain/ground-locks.ts';
import { WaiverStatus } from '../domain/parking.ts';
import { GetCommand, PutCommand, UpdateCommand } from './doc.ts';
import { conditionalSend, conditionalWrite, dynamo } from './dynamo.ts';

const table = () => config().tableName('parking');
const lockKey = (stationId: string, lockNum: string) => ({ pk: `LOCK#${stationId}#${lockNum}` });
const waiverKey = (seq: string) => ({ pk: `WAIVER#${seq}` });

// ───────────────────────────── locks ─────────────────────────────

export const getLock = async (stationId: string, lockNum: string): Promise<LockState> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: lockKey(stationId, lockNum), ConsistentRead: true }));
  const i = res.Item;
  if (!i) return { lockStatus: LockStatus.Raised };
  return {
    lockStatus: (i.lockStatus as LockStatus | undefined) ?? LockStatus.Raised,
    ...(typeof i.dropCode === 'number'
      ? {
          drop: {
            code: i.dropCode,
            OperatorID: String(i.dropOperatorId),
            at: String(i.droppedAt),
            ...(typeof i.dropAfter === 'number' ? { afterVersion: i.dropAfter } : {}),
          },
        }
      : {}),
    ...(typeof i.fault === 'string' ? { fault: i.fault } : {}),
    ...(typeof i.rev === 'number' ? { rev: i.rev } : {}),
    ...(i.dropFailure && typeof i.dropFailure === 'object' ? { dropFailure: i.dropFailure as NonNullable<LockState['dropFailure']> } : {}),
  };
};

/**
 * Note a drop the car park's system did not answer: only the attempt (who, when, why) — the lock's
 * state, drop and revision are left as they were.
 */
export const recordDropFailure = async (stationId: string, lockNum: string, failure: { OperatorID: string; at: string; issue: string }) => {
  await dynamo().send(
    new UpdateCommand({
      TableName: table(),
      Key: lockKey(stationId, lockNum),
      UpdateExpression: 'SET dropFailure = :f',
      ExpressionAttributeValues: { ':f': { ...failure, issue: failure.issue.slice(0, 100) } },
    }),
  );
};

/**
 * Record a lock's new state: `update` (SET … [REMOVE …]) and the revision +1, on `condition` when
 * given. The lock's new revision; undefined when the condition did not hold.
 */
const recordState = async (
  stationId: string,
  lockNum: string,
  update: string,
  values: Record<string, unknown>,
  condition?: string,
): Promise<number | undefined> => {
  const out = await conditionalSend(
    dynamo(),
    new UpdateCommand({
      TableName: table(),
      Key: lockKey(stationId, lockNum),
      UpdateExpression: `${update} ADD rev :one`,
      ...(condition ? { ConditionExpression: condition } : {}),
      ExpressionAttributeValues: { ...values, ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return out ? Number(out.Attributes?.rev) : undefined;
};

/** Record a drop for `operatorId` unless another partner's drop is in force: the lock's new revision, undefined when it is. */
export const recordDrop = (
  stationId: string,
  lockNum: string,
  drop: { code: number; OperatorID: string; at: string; afterVersion: number },
) =>
  recordState(
    stationId,
    lockNum,
    'SET lockStatus = :dropped, dropCode = :code, dropOperatorId = :op, droppedAt = :at, dropAfter = :after REMOVE fault, dropFailure',
    { ':dropped': LockStatus.Dropped, ':code': drop.code, ':op': drop.OperatorID, ':at': drop.at, ':after': drop.afterVersion },
    'attribute_not_exists(dropOperatorId) OR dropOperatorId = :op',
  );

/** The lock rose (the car left): the drop with `code` is spent. The lock's new revision; undefined when that drop is no longer in force. */
export const recordRaised = (stationId: string, lockNum: string, code: number, at: string) =>
  recordState(
    stationId,
    lockNum,
    'SET lockStatus = :raised, raisedAt = :at REMOVE dropCode, dropOperatorId, droppedAt, dropAfter, fault, dropFailure',
    { ':raised': LockStatus.Raised, ':code': code, ':at': at },
    'dropCode = :code',
  );

/** The gateway reported the lock faulted; a drop in force stays recorded. The lock's new revision. */
export const recordFault = async (stationId: string, lockNum: string, fault: string, at: string): Promise<number> =>
  Number(
    await recordState(stationId, lockNum, 'SET fault = :f, lockStatus = :unknown, faultAt = :at REMOVE dropFailure', {
      ':f': fault.slice(0, 200),
      ':unknown': LockStatus.Unknown,
      ':at': at,
    }),
  );

// ───────────────────────────── waivers ─────────────────────────────

export interface Waiver {
  StartChargeSeq: string;
  OperatorID: string;
  StationID: string;
  ConnectorID: string;
  /** absent on a plate-only item (the plate was given while the order ran) */
  minutes: number;
  plate?: string;
  status: WaiverStatus;
  createdAt: string;
  appliedAt?: string;
  /** the gate's last failure, in words */
  lastError?: string;
}

export const getWaiver = async (seq: string): Promise<Waiver | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: waiverKey(seq), ConsistentRead: true }));
  if (!res.Item) return undefined;
  const { pk: _pk, ...rest } = res.Item;
  return rest as Waiver;
};

/**
 * Create the order's waiver once, over a plate-only item written while the order ran (`plateSeen`:
 * the plate that item held when read, so a plate given meanwhile is never overwritten); false when
 * the waiver exists already (a redelivered order-finished event) or the plate changed meanwhile.
 */
export const createWaiver = (w: Waiver, plateSeen: string | undefined): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new PutCommand({
      TableName: table(),
      Item: { ...waiverKey(w.StartChargeSeq), ...w },
      ConditionExpression: `attribute_not_exists(pk) OR (attribute_not_exists(minutes) AND ${plateSeen === undefined ? 'attribute_not_exists(plate)' : 'plate = :plate'})`,
      ...(plateSeen === undefined ? {} : { ExpressionAttributeValues: { ':plate': plateSeen } }),
    }),
  );

/**
 * Set the plate of an order's waiver not yet applied (creating a plate-only item while the order
 * runs); its status follows. False when the waiver was applied already.
 */
export const setWaiverPlate = (
  order: { StartChargeSeq: string; OperatorID: string; StationID: string; ConnectorID: string },
  plate: string,
  status: WaiverStatus,
): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new UpdateCommand({
      TableName: table(),
      Key: waiverKey(order.StartChargeSeq),
      UpdateExpression:
        'SET plate = :p, #s = :s, StartChargeSeq = :seq, OperatorID = :op, StationID = :st, ConnectorID = :c, createdAt = if_not_exists(createdAt, :now)',
      ConditionExpression: 'attribute_not_exists(pk) OR #s <> :applied',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: {
        ':p': plate,
        ':s': status,
        ':applied': WaiverStatus.Applied,
        ':seq': order.StartChargeSeq,
        ':op': order.OperatorID,
        ':st': order.StationID,
        ':c': order.ConnectorID,
        ':now': new Date().toISOString(),
      },
    }),
  );

/** The gate took the waiver. */
export const markWaiverApplied = async (seq: string, at: string): Promise<void> => {
  await dynamo().send(
    new UpdateCommand({
      TableName: table(),
      Key: waiverKey(seq),
      UpdateExpression: 'SET #s = :applied, appliedAt = :at REMOVE lastError',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':applied': WaiverStatus.Applied, ':at': at },
    }),
  );
};

/** The gate failed this time (the message is retried, then parked in the DLQ); the waiver is still being sent. */
export const markWaiverFailed = async (seq: string, error: string): Promise<void> => {
  await conditionalWrite(
    dynamo(),
    new UpdateCommand({
      TableName: table(),
      Key: waiverKey(seq),
      UpdateExpression: 'SET lastError = :e, #s = :sending',
      ConditionExpression: 'attribute_exists(pk) AND #s <> :applied',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':e': error.slice(0, 200), ':sending': WaiverStatus.Sending, ':applied': WaiverStatus.Applied },
    }),
  );
};

// ───────────────────────────── who holds a connector ─────────────────────────────

/**
 * The partner whose open order or active reservation holds the connector (the orders table's
 * `LOCK#<ConnectorID>`, shared/store/orders.ts and shared/store/reservations.ts), if any.
 */
export const getConnectorHolder = async (connectorId: string, now: Date): Promise<{ OperatorID: string } | undefined> => {
  const res = await dynamo().send(
    new GetCommand({ TableName: config().tableName('orders'), Key: { pk: `LOCK#${connectorId}` }, ConsistentRead: true }),
  );
  const i = res.Item;
  if (!i || typeof i.OperatorID !== 'string') return undefined;
  if (i.StartChargeSeq === undefined && !(Number(i.reservedUntilMs) > now.getTime())) return undefined;
  return { OperatorID: i.OperatorID };
};
