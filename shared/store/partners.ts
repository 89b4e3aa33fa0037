/**
 * Partner registry (table `partners`).
 *
 * Access patterns:
 *   - by OperatorID (every request):            GetItem pk = PARTNER#<OperatorID>
 *   - all partners (CLI list, status fan-out):  Scan (tens of partners, not millions)
 * Secret VALUES are not here: they live in Secrets Manager (shared/store/secrets.ts). The record's
 * shape (PartnerSchema) is a domain definition: shared/domain/partners.ts.
 */

import { config } from '../config.ts';
import { type Partner, PartnerSchema } from '../domain/partners.ts';
import { GetCommand, PutCommand, paginateScan } from './doc.ts';
import { dynamo } from './dynamo.ts';

export type { Partner } from '../domain/partners.ts';

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
  for await (const page of paginateScan({ client: dynamo() }, { TableName: table() })) {
    for (const item of page.Items ?? []) out.push(PartnerSchema.parse(item));
  }
  return out.sort((a, b) => a.operatorId.localeCompare(b.operatorId));
};

export const clearPartnerCache = (): void => cache.clear();
