/**
 * A partner platform's registry record: who it is, its dialect, the stations it is granted, its
 * features and where we push to. Validated (zod) wherever it enters: the CLI, the seed, the table.
 * The grant rules over it are in ./grants.ts; the table is shared/store/partners.ts.
 */
import * as z from 'zod/mini';
import { ProfileNameSchema } from '../tcec/profiles.ts';
import { RateLimitSchema } from './rate-limit.ts';

export const DialectSchema = z.enum(['cec2016', 'xiaoju']);

/**
 * Which way a partner roams (issue 12). `in`: the partner's users charge on OUR piles (we are the
 * operator side, it calls our query_* interfaces). `out`: OUR users charge on the partner's piles
 * (we are the customer side: we call its query_* interfaces with the outbound set and serve its
 * notification_* / check_charge_orders). Default: in only, as before roaming out existed.
 */
export const RoamingSchema = z
  .object({ in: z._default(z.boolean(), true), out: z._default(z.boolean(), false) })
  .check(z.refine((r) => r.in || r.out, 'roaming: at least one of in/out must be true'));
export type Roaming = z.infer<typeof RoamingSchema>;

const IN_ONLY: Roaming = { in: true, out: false };

/** A partner's roles; a record written before roaming existed (no `roaming`) is in only. */
export const roamingOf = (p: { roaming?: Roaming | undefined }): Roaming => p.roaming ?? IN_ONLY;

/** The rule both the seed and the registry check: we can only call a roam-out partner if we know where and how. */
export const roamingProblem = (p: { roaming?: Roaming | undefined; outbound?: { baseUrl: string } | undefined }): string | undefined =>
  roamingOf(p).out && !p.outbound ? 'roaming.out needs the outbound set (baseUrl and secrets) we call the partner with' : undefined;

/** optional extension interfaces and per-partner jobs, the same in the seed and the registry */
export const PartnerFeaturesSchema = z._default(
  z.object({
    queryChargeInfo: z._default(z.boolean(), false),
    /** nightly check_charge_orders with this partner (absent = on; `false` opts out) */
    reconcile: z.optional(z.boolean()),
    /** this partner's China-time minute for it, HH:mm within 00:00–03:00 (absent: RECONCILE_AT) */
    reconcileAt: z.optional(
      z.string().check(
        z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm'),
        z.refine((s) => s <= '03:00', 'must lie within 00:00–03:00 China time'),
      ),
    ),
  }),
  { queryChargeInfo: false },
);

export const PartnerSchema = z
  .object({
    operatorId: z.string().check(z.regex(/^[0-9A-Za-z]{9}$/, 'OperatorID must be 9 letters or digits')),
    name: z.string().check(z.minLength(1), z.maxLength(64)),
    dialect: z._default(DialectSchema, 'cec2016'),
    /** '*' = every station, else the StationIDs the partner may see and use */
    stations: z._default(z.union([z.literal('*'), z.array(z.string().check(z.minLength(1), z.maxLength(20)))]), '*'),
    status: z._default(z.enum(['active', 'suspended']), 'active'),
    /**
     * the partner's profile (shared/tcec/profiles.ts): a built-in (`cec2016`, `xiaoju`, `didi`, an
     * OEM's) or one of `profiles`; absent = the profile named like its dialect
     */
    profile: z.optional(ProfileNameSchema),
    /** the custom profile specs `profile` resolves through (a seed's `profiles`), validated at load */
    profiles: z.optional(z.record(z.string(), z.unknown())),
    /** optional extension interfaces enabled for this partner */
    features: PartnerFeaturesSchema,
    /** absent = in only (roamingOf) */
    roaming: z.optional(RoamingSchema),
    /** request budget (token bucket); absent = the default (shared/middleware/partner-guards.ts) */
    rateLimit: z.optional(RateLimitSchema),
    /** where we push: baseUrl + interface name, unless a path override is given */
    outbound: z.optional(
      z.object({
        baseUrl: z.url(),
        paths: z.optional(z.record(z.string(), z.string())),
      }),
    ),
    createdAt: z.optional(z.string()),
    updatedAt: z.optional(z.string()),
  })
  .check(
    z.superRefine((p, ctx) => {
      const problem = roamingProblem(p);
      if (problem) ctx.addIssue({ code: 'custom', path: ['roaming', 'out'], message: problem });
    }),
  );
export type Partner = z.infer<typeof PartnerSchema>;
