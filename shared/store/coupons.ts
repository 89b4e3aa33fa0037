/**
 * Coupons the operator issues (shared/domain/coupon-issue.ts), in the `orders` table beside the orders
 * that use them (COUPON#<CouponID>, shared/store/orders.ts: the order's creating transaction marks
 * `usedBy`). An issued coupon also carries the byPartner index keys gsi1pk = COUPONS#<OperatorID>,
 * gsi1sk = <CouponID>, so a partner's coupons are ONE index query (keys only from the index's
 * projection, then a BatchGet of the items), never a scan of the orders table. Nothing reading the
 * index for orders (PARTNER#…) sees them.
 *
 * A coupon whose order took nothing off (the start was refused or timed out, or no service fee was
 * billed) is given back: `usedBy` removed on the condition that it is still that order's
 * (`returnedFrom` keeps the last order that gave it back).
 */

import { config } from '../config.ts';
import type { Coupon } from '../domain/coupons.ts';
import { BatchGetCommand, PutCommand, paginateQuery, UpdateCommand } from './doc.ts';
import { conditionalWrite, dynamo } from './dynamo.ts';
import type { StoredCoupon } from './orders.ts';

const table = () => config().tableName('orders');
const BATCH_GET_MAX = 100;

/** Store an issued coupon (validated by the caller); false when its CouponID exists already (nothing written). */
export const storeIssuedCoupon = (c: Coupon): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new PutCommand({
      TableName: table(),
      Item: { pk: `COUPON#${c.couponId}`, ...c, gsi1pk: `COUPONS#${c.operatorId}`, gsi1sk: c.couponId },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );

/** Every coupon issued to the partner's users, by CouponID, with who used it. */
export const listCoupons = async (operatorId: string): Promise<StoredCoupon[]> => {
  const keys: string[] = [];
  for await (const page of paginateQuery(
    { client: dynamo() },
    {
      TableName: table(),
      IndexName: 'byPartner',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': `COUPONS#${operatorId}` },
      ProjectionExpression: 'pk',
    },
  ))
    for (const i of page.Items ?? []) keys.push(String(i.pk));
  const out: StoredCoupon[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
    let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
      [table()]: { Keys: keys.slice(i, i + BATCH_GET_MAX).map((pk) => ({ pk })) },
    };
    while (request && Object.keys(request).length) {
      const res = await dynamo().send(new BatchGetCommand({ RequestItems: request }));
      for (const item of res.Responses?.[table()] ?? []) {
        const { pk: _pk, gsi1pk: _a, gsi1sk: _b, ...rest } = item;
        out.push(rest as StoredCoupon);
      }
      request = res.UnprocessedKeys as typeof request;
    }
  }
  return out.sort((a, b) => a.couponId.localeCompare(b.couponId));
};

/**
 * Give a coupon back (`usedBy` removed) if it is still used by `startChargeSeq`; false when it is not
 * (given back already, or never used by that order): nothing is written then.
 */
export const returnCoupon = (couponId: string, startChargeSeq: string, at: Date): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new UpdateCommand({
      TableName: table(),
      Key: { pk: `COUPON#${couponId}` },
      UpdateExpression: 'SET returnedFrom = :seq, returnedAt = :at REMOVE usedBy, usedAt',
      ConditionExpression: 'usedBy = :seq',
      ExpressionAttributeValues: { ':seq': startChargeSeq, ':at': at.toISOString() },
    }),
  );
