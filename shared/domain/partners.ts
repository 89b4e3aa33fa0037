/**
 * A partner platform's registry record: who it is, its dialect, the stations it is granted, its
 * features and where we push to. Validated (zod) wherever it enters: the CLI, the seed, the table.
 * The grant rules over it are in ./grants.ts; the table is shared/store/partners.ts.
 */
import { z } from 'zod';
import { RateLimitSchema } from './rate-limit.ts';

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
  /** request budget (token bucket); absent = the default (shared/middleware/partner-guards.ts) */
  rateLimit: RateLimitSchema.optional(),
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
