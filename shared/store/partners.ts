/**
 * Partner registry (table `partners`).
 *
 * Access patterns:
 *   - by OperatorID (every request):            GetItem pk = PARTNER#<OperatorID>
 *   - all partners (CLI list, status fan-out):  Scan (tens of partners, not millions)
 * Secret VALUES are not here: they live in Secrets Manager (shared/store/secrets.ts).
 */
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { config } from '../config.ts';
import { dynamo } from './dynamo.ts';

export const DialectSchema = z.enum(['cec2016', 'xiaoju']);

export const PartnerSchema = z.object({
  operatorId: z.string().regex(/^[0-9A-Za-z]{9}$/, 'OperatorID must be 9 letters or digits'),
  name: z.string().min(1).max(64),
  dialect: DialectSchema.default('cec2016'),
  /** '*' = every station, else the StationIDs the partner may see and use */
  stations: z.union([z.literal('*'), z.array(z.string().min(1).max(20))]).default('*'),
  status: z.enum(['active', 'suspended']).default('active'),
  /** optional extension interfaces enabled for this partner */
  features: z.object({ queryChargeInfo: z.boolean().default(false) }).default({ queryChargeInfo: false }),
  /** where we push: baseUrl + interface name, unless a path override is given */
  outbound: z
    .object({
      baseUrl: z.string().url(),
      paths: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type Partner = z.infer<typeof PartnerSchema>;

const table = () => config().tableName('partners');
const key = (operatorId: string) => ({ pk: `PARTNER#${operatorId}` });

/** Small in-process cache: a warm Lambda answers most requests without a GetItem. */
const cache = new Map<string, { partner: Partner | undefined; at: number }>();
const CACHE_MS = 30_000;

export const getPartner = async (operatorId: string, { fresh = false } = {}): Promise<Partner | undefined> => {
  const hit = cache.get(operatorId);
  if (!fresh && hit && Date.now() - hit.at < CACHE_MS) return hit.partner;
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: key(operatorId), ConsistentRead: fresh }));
  const partner = res.Item ? PartnerSchema.parse(res.Item) : undefined;
  cache.set(operatorId, { partner, at: Date.now() });
  return partner;
};

export const putPartner = async (partner: Partner): Promise<void> => {
  const now = new Date().toISOString();
  const item = PartnerSchema.parse({ ...partner, createdAt: partner.createdAt ?? now, updatedAt: now });
  await dynamo().send(new PutCommand({ TableName: table(), Item: { ...key(item.operatorId), ...item } }));
  cache.delete(item.operatorId);
};

export const listPartners = async (): Promise<Partner[]> => {
  const out: Partner[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await dynamo().send(new ScanCommand({ TableName: table(), ExclusiveStartKey: start }));
    for (const item of res.Items ?? []) out.push(PartnerSchema.parse(item));
    start = res.LastEvaluatedKey;
  } while (start);
  return out.sort((a, b) => a.operatorId.localeCompare(b.operatorId));
};

export const clearPartnerCache = (): void => cache.clear();
