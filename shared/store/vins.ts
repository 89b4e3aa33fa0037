/**
 * VIN bindings (plug-and-charge, ours: shared/domain/vin.ts) in the `orders` table beside the orders
 * they start and the coupons and reservations of the partners' users: ONE item per VIN,
 * pk = VIN#<Vin>, so a charger's report finds its partner with one GetItem and a VIN can never be
 * bound to two partners (the binding's conditional PutItem: free, or already this partner's).
 */

import { config } from '../config.ts';
import { DeleteCommand, GetCommand, PutCommand } from './doc.ts';
import { conditionalWrite, dynamo } from './dynamo.ts';

const table = () => config().tableName('orders');
const key = (vin: string) => ({ pk: `VIN#${vin}` });

export interface VinBinding {
  Vin: string;
  /** the partner whose user's car it is */
  OperatorID: string;
  PlateNum?: string;
  boundAt: string;
}

/**
 * Bind (or bind again: idempotent, the plate replaced) a VIN to the partner. 'other' when another
 * partner holds it (nothing written).
 */
export const bindVin = async (b: VinBinding): Promise<'bound' | 'other'> => {
  const ok = await conditionalWrite(
    dynamo(),
    new PutCommand({
      TableName: table(),
      Item: { ...key(b.Vin), ...b },
      ConditionExpression: 'attribute_not_exists(pk) OR OperatorID = :me',
      ExpressionAttributeValues: { ':me': b.OperatorID },
    }),
  );
  return ok ? 'bound' : 'other';
};

/** Release the partner's binding of a VIN; false when it is not the partner's (unknown or another's). */
export const unbindVin = (vin: string, operatorId: string): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new DeleteCommand({
      TableName: table(),
      Key: key(vin),
      ConditionExpression: 'OperatorID = :me',
      ExpressionAttributeValues: { ':me': operatorId },
    }),
  );

export const getVinBinding = async (vin: string): Promise<VinBinding | undefined> => {
  const r = await dynamo().send(new GetCommand({ TableName: table(), Key: key(vin), ConsistentRead: true }));
  if (!r.Item) return undefined;
  const { pk: _pk, ...b } = r.Item;
  return b as VinBinding;
};
