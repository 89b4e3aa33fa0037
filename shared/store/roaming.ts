/**
 * Roaming out (table `roaming`): OUR users' sessions on PARTNERS' piles, and the live status of
 * the partners' connectors.
 *
 * Items:
 *   CHECK#<OperatorID>#<CheckOrderSeq>  a run of the partner's check_charge_orders: the period, the
 *                                       counts, our answer and the orders it did not list
 *   ORDER#<StartChargeSeq>              a roaming order: who (OperatorID of the pile's owner,
 *                                       ConnectorID, userId), the partner's tariff as pulled at
 *                                       start, and its state (shared/domain/roaming-order.ts:
 *                                       stat, live snapshot, stop result, the partner's final order
 *                                       with OUR figures and the verdict), `version` for optimistic
 *                                       concurrency
 *   CONN#<OperatorID>#<ConnectorID>     a partner connector's latest status and when we learnt it
 *                                       (`at`, epoch ms: arrival of a push, or when a poll was SENT)
 *   APPSESSION#<StartChargeSeq>         the app user who started a session on one of OUR piles (the
 *                                       order itself lives in the charging service's `orders` table)
 *
 * Access patterns:
 *   - by StartChargeSeq (every notification, the app API): GetItem ORDER#…, then a conditional
 *     Put on `version` (one read + one write per notification; a lost race re-reads, never merges)
 *   - a partner's roaming orders by creation time (inbound check_charge_orders: the candidates, then
 *     kept by their end, shared/domain/inbound-check.ts): GSI byPartner (gsi1pk = PARTNER#<OperatorID>,
 *     gsi1sk = createdAt ISO, written once), then one BatchGetItem per 100
 *   - the orders the session sweep must look at (shared/domain/app-session.ts needsSweep: no final
 *     order yet, or a dispute not yet published): the SPARSE GSI byGroup, gsi2pk = OPEN, gsi2sk =
 *     createdAt — written with the order while it needs a sweep, absent after; a Query, never a Scan.
 *     The same index files the partner stations by grid cell (shared/store/partner-catalog.ts).
 *   - connector status: conditional Put `at` later than the stored one, so a poll sent before a
 *     push arrived can never overwrite it (the push is newer news)
 */

import { config } from '../config.ts';
import { needsSweep } from '../domain/app-session.ts';
import type { TariffPeriod } from '../domain/billing.ts';
import type { RoamingOrderState } from '../domain/roaming-order.ts';
import { BatchGetCommand, type BatchGetCommandOutput, GetCommand, PutCommand, paginateQuery, UpdateCommand } from './doc.ts';
import { conditionalWrite, dynamo } from './dynamo.ts';

const table = () => config().tableName('roaming');

export interface RoamingOrder extends RoamingOrderState {
  StartChargeSeq: string;
  /** the partner that owns the pile */
  OperatorID: string;
  ConnectorID: string;
  userId: string;
  /** the partner's policy for the connector, pulled at start (query_equip_business_policy) */
  tariff?: TariffPeriod[];
  createdAt: string;
  version: number;
}

const orderKey = (seq: string) => `ORDER#${seq}`;

export const getRoamingOrder = async (seq: string): Promise<RoamingOrder | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: orderKey(seq) }, ConsistentRead: true }));
  if (!res.Item) return undefined;
  const { pk: _pk, gsi1pk: _g1, gsi1sk: _g2, gsi2pk: _g3, gsi2sk: _g4, ...order } = res.Item;
  return order as RoamingOrder;
};

const strip = (item: Record<string, unknown>): RoamingOrder => {
  const { pk: _pk, gsi1pk: _g1, gsi1sk: _g2, gsi2pk: _g3, gsi2sk: _g4, ...order } = item;
  return order as unknown as RoamingOrder;
};

/** Roaming orders by StartChargeSeq (BatchGetItem, 100 per call, unprocessed keys retried); unknown ones left out. */
export const getRoamingOrders = async (seqs: readonly string[]): Promise<RoamingOrder[]> => {
  const out: RoamingOrder[] = [];
  for (let i = 0; i < seqs.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = seqs.slice(i, i + 100).map((seq) => ({ pk: orderKey(seq) }));
    for (let attempt = 0; keys?.length && attempt < 8; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      const res: BatchGetCommandOutput = await dynamo().send(new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys } } }));
      for (const item of res.Responses?.[table()] ?? []) out.push(strip(item));
      keys = res.UnprocessedKeys?.[table()]?.Keys;
    }
    if (keys?.length) throw new Error(`roaming: ${keys.length} order(s) left unprocessed by BatchGet`);
  }
  return out;
};

/** the byGroup partition of the orders the session sweep looks at */
const OPEN = 'OPEN';

/** The stored item: the order under its key, indexed by partner and creation time, and while open in byGroup. */
const orderItem = (order: Omit<RoamingOrder, 'version'>, version: number) => ({
  pk: orderKey(order.StartChargeSeq),
  gsi1pk: `PARTNER#${order.OperatorID}`,
  gsi1sk: order.createdAt,
  ...(needsSweep(order) ? { gsi2pk: OPEN, gsi2sk: order.createdAt } : {}),
  ...order,
  version,
});

/** The StartChargeSeqs the session sweep must look at, oldest first (a Query of the sparse byGroup index). */
export const listSweepableOrderSeqs = async (): Promise<string[]> => {
  const out: string[] = [];
  for await (const page of paginateQuery(
    { client: dynamo() },
    {
      TableName: table(),
      IndexName: 'byGroup',
      KeyConditionExpression: 'gsi2pk = :p',
      ExpressionAttributeValues: { ':p': OPEN },
    },
  )) {
    for (const item of page.Items ?? []) out.push(String(item.StartChargeSeq));
  }
  return out;
};

/** A new order (before the partner is asked to start): false when the StartChargeSeq exists. */
export const createRoamingOrder = (order: Omit<RoamingOrder, 'version'>): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new PutCommand({
      TableName: table(),
      Item: orderItem(order, 1),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );

/** Replace the order if nobody changed it since `expectedVersion`: false when someone did. */
export const saveRoamingOrder = (order: RoamingOrder, expectedVersion: number): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new PutCommand({
      TableName: table(),
      Item: orderItem(order, expectedVersion + 1),
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': expectedVersion },
    }),
  );

export interface PartnerConnectorStatus {
  OperatorID: string;
  ConnectorID: string;
  Status: number;
  /** epoch ms: when the push arrived, or when the poll that saw it was sent */
  at: number;
  source: 'push' | 'poll';
}

/**
 * Record a partner connector's status unless we already know a newer one: a push wins over an
 * equal-time poll; false when the stored status is newer (nothing written).
 */
export const putPartnerConnectorStatus = (s: PartnerConnectorStatus): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new PutCommand({
      TableName: table(),
      Item: { pk: `CONN#${s.OperatorID}#${s.ConnectorID}`, ...s },
      ConditionExpression: s.source === 'push' ? 'attribute_not_exists(pk) OR #at <= :at' : 'attribute_not_exists(pk) OR #at < :at',
      ExpressionAttributeNames: { '#at': 'at' },
      ExpressionAttributeValues: { ':at': s.at },
    }),
  );

export const getPartnerConnectorStatus = async (operatorId: string, connectorId: string): Promise<PartnerConnectorStatus | undefined> => {
  const res = await dynamo().send(
    new GetCommand({ TableName: table(), Key: { pk: `CONN#${operatorId}#${connectorId}` }, ConsistentRead: true }),
  );
  if (!res.Item) return undefined;
  const { pk: _pk, ...s } = res.Item;
  return s as PartnerConnectorStatus;
};

/** The StartChargeSeqs of a partner's roaming orders created in [fromIso, toIso] (GSI byPartner). */
export const listRoamingOrderSeqs = async (operatorId: string, fromIso: string, toIso: string): Promise<string[]> => {
  const out: string[] = [];
  for await (const page of paginateQuery(
    { client: dynamo() },
    {
      TableName: table(),
      IndexName: 'byPartner',
      KeyConditionExpression: 'gsi1pk = :p AND gsi1sk BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':p': `PARTNER#${operatorId}`, ':a': fromIso, ':b': toIso },
    },
  )) {
    for (const item of page.Items ?? []) out.push(String(item.StartChargeSeq));
  }
  return out;
};

const checkKey = (operatorId: string, checkOrderSeq: string) => ({ pk: `CHECK#${operatorId}#${checkOrderSeq}` });

/**
 * Store one inbound reconciliation run (a repeated CheckOrderSeq replaces its figures); the
 * `published` set of the disputes already announced is kept (see markCheckDisputesPublished).
 */
export const putCheckRun = async (operatorId: string, checkOrderSeq: string, run: Record<string, unknown>): Promise<void> => {
  const fields = Object.entries(run).filter(([k, v]) => v !== undefined && k !== 'pk' && k !== 'published');
  await dynamo().send(
    new UpdateCommand({
      TableName: table(),
      Key: checkKey(operatorId, checkOrderSeq),
      UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(fields.map(([k], i) => [`#f${i}`, k])),
      ExpressionAttributeValues: Object.fromEntries(fields.map(([, v], i) => [`:v${i}`, v])),
    }),
  );
};

/** Add dispute keys (`<StartChargeSeq>#<DisputeReason>`) to a run's set of disputes whose OrderDisputed was published. */
export const markCheckDisputesPublished = async (operatorId: string, checkOrderSeq: string, keys: readonly string[]): Promise<void> => {
  if (!keys.length) return;
  await dynamo().send(
    new UpdateCommand({
      TableName: table(),
      Key: checkKey(operatorId, checkOrderSeq),
      UpdateExpression: 'ADD published :k',
      ExpressionAttributeValues: { ':k': new Set(keys) },
    }),
  );
};

/** The record of which user started a session on one of OUR piles through the app API. */
export const putAppSessionOwner = async (seq: string, userId: string, createdAt: string): Promise<void> => {
  await dynamo().send(new PutCommand({ TableName: table(), Item: { pk: `APPSESSION#${seq}`, userId, createdAt } }));
};

export const getAppSessionOwner = async (seq: string): Promise<string | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `APPSESSION#${seq}` }, ConsistentRead: true }));
  return res.Item ? String(res.Item.userId) : undefined;
};

export const getCheckRun = async (operatorId: string, checkOrderSeq: string): Promise<Record<string, unknown> | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: checkKey(operatorId, checkOrderSeq), ConsistentRead: true }));
  if (!res.Item) return undefined;
  const { published, ...run } = res.Item;
  return { ...run, published: published instanceof Set ? [...published].map(String).sort() : [] };
};
