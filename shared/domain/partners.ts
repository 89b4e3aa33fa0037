/**
 * A partner platform's registry record: who it is, its dialect, the stations it is granted, its
 * features and where we push to. Validated (zod) wherever it enters: the CLI, the seed, the table.
 * The grant rules over it are in ./grants.ts; the table is shared/store/partners.ts.
 */
import { z } from 'zod';
import { ProfileNameSchema } from '../tcec/profiles.ts';
import { RateLimitSchema } from './rate-limit.ts';

export const DialectSchema = z.enum(['cec2016', 'xiaoju']);

export const PartnerSchema = z.object({
  operatorId: z.string().regex(/^[0-9A-Za-z]{9}$/, 'OperatorID must be 9 letters or digits'),
  name: z.string().min(1).max(64),
  dialect: DialectSchema.default('cec2016'),
  /** '*' = every station, else the StationIDs the partner may see and use */
  stations: z.union([z.literal('*'), z.array(z.string().min(1).max(20))]).default('*'),
  status: z.enum(['active', 'suspended']).default('active'),
  /**
   * the partner's profile (shared/tcec/profiles.ts): a built-in (`cec2016`, `xiaoju`, `didi`, an
   * OEM's) or one of `profiles`; absent = the profile named like its dialect
   */
  profile: ProfileNameSchema.optional(),
  /** the custom profile specs `profile` resolves through (a seed's `profiles`), validated at load */
  profiles: z.record(z.string(), z.unknown()).optional(),
  /** optional extension interfaces enabled for this partner */
  features: z
    .object({
      queryChargeInfo: z.boolean().default(false),
      /** nightly check_charge_orders with this partner (absent = on; `false` opts out) */
      reconcile: z.boolean().optional(),
      /** this partner's China-time minute for it, HH:mm within 00:00–03:00 (absent: RECONCILE_AT) */
      reconcileAt: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm')
        .refine((s) => s <= '03:00', 'must lie within 00:00–03:00 China time')
        .optional(),
    })
    .default({ queryChargeInfo: false }),
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
