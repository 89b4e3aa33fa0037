/**
 * Reconciliation runs, their disputes and the order catch-up history (table `reconcile`).
 *
 * Items (pk, sk):
 *   DAY#<YYYY-MM-DD>, <OperatorID>#RUN              one run per (partner, China-time day): status, the
 *                                                   requests sent (CheckOrderSeq, count, totals) and
 *                                                   the partner's answer per request, problems, attempts
 *   DAY#<YYYY-MM-DD>, <OperatorID>#DISPUTE#<Seq>    one disputed order of that run: reason, our figures,
 *                                                   the partner's figures, the CheckOrderSeq it came in
 *   CATCHUP#<StartChargeSeq>, CATCHUP              re-pushes of an unconfirmed order: every attempt (time, why)
 *
 * Access patterns:
 *   - a run (dispatch, the run itself, CLI): GetItem / conditional Put on (DAY#d, p#RUN)
 *   - a day's runs and disputes, all partners or one (CLI `reconcile show`): Query pk = DAY#d
 *     [AND begins_with(sk, p#)]
 *   - the catch-up state of an order: UpdateItem with a condition on the last attempt's time
 * Running a day again overwrites the same run item and the same dispute items: never duplicates.
 */

import { config } from '../config.ts';
import type { Dispute, RunStatus } from '../domain/reconcile.ts';
import { DeleteCommand, GetCommand, PutCommand, paginateQuery, UpdateCommand } from './doc.ts';
import { conditionalWrite, dynamo } from './dynamo.ts';

const table = () => config().tableName('reconcile');

export interface RequestRecord {
  CheckOrderSeq: string;
  OrderCount: number;
  TotalOrderPower: number;
  TotalOrderMoney: number;
  /** the partner's answer: Ret and Msg, dispute totals as it stated them */
  ret?: number;
  msg?: string;
  TotalDisputeOrder?: number;
  /** why this request failed (transport, Sig, Ret ≠ 0, malformed answer) */
  failed?: string;
  problems: string[];
  disputes: number;
}

export interface RunRecord {
  OperatorID: string;
  day: string;
  status: RunStatus;
  /** how the run was started last */
  trigger: 'schedule' | 'manual';
  /** attempts that reached the partner or tried to (a re-run adds to it) */
  attempts: number;
  requests: RequestRecord[];
  orderCount: number;
  disputeCount: number;
  /** the last failure or why the run is suspicious */
  reason?: string;
  createdAt: string;
  updatedAt: string;
}

export interface DisputeRecord extends Dispute {
  OperatorID: string;
  day: string;
  CheckOrderSeq: string;
  firstSeenAt: string;
  updatedAt: string;
}

const runKey = (partner: string, day: string) => ({ pk: `DAY#${day}`, sk: `${partner}#RUN` });
const disputeKey = (partner: string, day: string, seq: string) => ({ pk: `DAY#${day}`, sk: `${partner}#DISPUTE#${seq}` });

const strip = <T>(item: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
};

export const getRun = async (partner: string, day: string): Promise<RunRecord | undefined> => {
  const r = await dynamo().send(new GetCommand({ TableName: table(), Key: runKey(partner, day), ConsistentRead: true }));
  return r.Item ? strip<RunRecord>(r.Item) : undefined;
};

/** The schedule's claim of a (partner, day): true when this call created the run (enqueue it), false when one exists. */
export const claimRun = (partner: string, day: string, now: Date): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new PutCommand({
      TableName: table(),
      Item: {
        ...runKey(partner, day),
        OperatorID: partner,
        day,
        status: 'queued',
        trigger: 'schedule',
        attempts: 0,
        requests: [],
        orderCount: 0,
        disputeCount: 0,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      } satisfies RunRecord & Record<string, unknown>,
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );

/** Undo a claim whose message could not be sent (the schedule's next tick claims the day again). */
export const releaseClaim = (partner: string, day: string): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new DeleteCommand({
      TableName: table(),
      Key: runKey(partner, day),
      ConditionExpression: '#status = :queued AND attempts = :zero',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':queued': 'queued', ':zero': 0 },
    }),
  );

/** Write the run's outcome over the same item (createdAt kept, attempts counted). */
export const saveRun = async (run: Omit<RunRecord, 'createdAt' | 'updatedAt' | 'attempts'>, now: Date): Promise<RunRecord> => {
  const res = await dynamo().send(
    new UpdateCommand({
      TableName: table(),
      Key: runKey(run.OperatorID, run.day),
      ReturnValues: 'ALL_NEW',
      UpdateExpression:
        'SET OperatorID = :p, #day = :d, #status = :s, #trigger = :t, requests = :r, orderCount = :oc, disputeCount = :dc, updatedAt = :now, ' +
        'createdAt = if_not_exists(createdAt, :now), attempts = if_not_exists(attempts, :zero) + :one' +
        (run.reason === undefined ? ' REMOVE reason' : ', reason = :reason'),
      ExpressionAttributeNames: { '#day': 'day', '#status': 'status', '#trigger': 'trigger' },
      ExpressionAttributeValues: {
        ':p': run.OperatorID,
        ':d': run.day,
        ':s': run.status,
        ':t': run.trigger,
        ':r': run.requests,
        ':oc': run.orderCount,
        ':dc': run.disputeCount,
        ':now': now.toISOString(),
        ':zero': 0,
        ':one': 1,
        ...(run.reason === undefined ? {} : { ':reason': run.reason }),
      },
    }),
  );
  return strip<RunRecord>(res.Attributes ?? {});
};

/** Every item of a day (optionally one partner's): runs and disputes. */
const dayItems = async (day: string, partner?: string): Promise<Record<string, unknown>[]> => {
  const out: Record<string, unknown>[] = [];
  const pages = paginateQuery(
    { client: dynamo() },
    {
      TableName: table(),
      KeyConditionExpression: partner ? 'pk = :pk AND begins_with(sk, :p)' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `DAY#${day}`, ...(partner ? { ':p': `${partner}#` } : {}) },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) out.push(...(page.Items ?? []));
  return out;
};

/** A day's runs and disputes (CLI `reconcile show`). */
export const listDay = async (day: string, partner?: string): Promise<{ runs: RunRecord[]; disputes: DisputeRecord[] }> => {
  const items = await dayItems(day, partner);
  return {
    runs: items.filter((i) => String(i.sk).endsWith('#RUN')).map((i) => strip<RunRecord>(i)),
    disputes: items.filter((i) => String(i.sk).includes('#DISPUTE#')).map((i) => strip<DisputeRecord>(i)),
  };
};

/**
 * Store one dispute of a run: true when it is new (the caller events it), false when the same
 * order was already disputed in this (partner, day) — then only its figures and reason are refreshed.
 */
export const putDispute = async (d: Omit<DisputeRecord, 'firstSeenAt' | 'updatedAt'>, now: Date): Promise<boolean> => {
  const item = { ...disputeKey(d.OperatorID, d.day, d.StartChargeSeq), ...d, firstSeenAt: now.toISOString(), updatedAt: now.toISOString() };
  const created = await conditionalWrite(
    dynamo(),
    new PutCommand({ TableName: table(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
  );
  if (created) return true;
  await dynamo().send(
    new UpdateCommand({
      TableName: table(),
      Key: disputeKey(d.OperatorID, d.day, d.StartChargeSeq),
      UpdateExpression: 'SET reason = :r, ours = :o, theirs = :t, CheckOrderSeq = :c, updatedAt = :now',
      ExpressionAttributeValues: {
        ':r': d.reason,
        ':o': d.ours ?? null,
        ':t': d.theirs ?? null,
        ':c': d.CheckOrderSeq,
        ':now': now.toISOString(),
      },
    }),
  );
  return false;
};

/** Disputes of an earlier run of the day that the latest answer no longer lists: removed (the run holds the truth). */
export const removeDisputesExcept = async (partner: string, day: string, keep: ReadonlySet<string>): Promise<number> => {
  const items = await dayItems(day, partner);
  let removed = 0;
  for (const i of items) {
    const sk = String(i.sk);
    if (!sk.includes('#DISPUTE#')) continue;
    const seq = sk.slice(sk.indexOf('#DISPUTE#') + '#DISPUTE#'.length);
    if (keep.has(seq)) continue;
    await dynamo().send(new DeleteCommand({ TableName: table(), Key: disputeKey(partner, day, seq) }));
    removed++;
  }
  return removed;
};

export interface CatchupRecord {
  StartChargeSeq: string;
  OperatorID: string;
  attempts: Array<{ at: string; why: string }>;
  lastAt: string;
}

/**
 * Record a re-push of an order, unless one was recorded less than `minGapMs` ago (two overlapping
 * runs of the job, or a reconciliation and the job on the same order): true when this call may
 * re-push, and not beyond `maxAttempts` attempts. The attempt history is kept on the item.
 */
export const recordRepush = (
  seq: string,
  partner: string,
  why: string,
  now: Date,
  minGapMs: number,
  maxAttempts?: number,
): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new UpdateCommand({
      TableName: table(),
      Key: { pk: `CATCHUP#${seq}`, sk: 'CATCHUP' },
      UpdateExpression:
        'SET StartChargeSeq = :seq, OperatorID = :p, lastAt = :now, attempts = list_append(if_not_exists(attempts, :empty), :a)',
      ConditionExpression:
        maxAttempts === undefined
          ? 'attribute_not_exists(pk) OR lastAt <= :cutoff'
          : 'attribute_not_exists(pk) OR (lastAt <= :cutoff AND size(attempts) < :max)',
      ExpressionAttributeValues: {
        ':seq': seq,
        ':p': partner,
        ':now': now.toISOString(),
        ':empty': [],
        ':a': [{ at: now.toISOString(), why }],
        ':cutoff': new Date(now.getTime() - minGapMs).toISOString(),
        ...(maxAttempts === undefined ? {} : { ':max': maxAttempts }),
      },
    }),
  );

export const getCatchup = async (seq: string): Promise<CatchupRecord | undefined> => {
  const r = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `CATCHUP#${seq}`, sk: 'CATCHUP' }, ConsistentRead: true }));
  return r.Item ? strip<CatchupRecord>(r.Item) : undefined;
};
