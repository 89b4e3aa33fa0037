/**
 * A partner platform's registry record: who it is, its dialect, the stations it is granted, its
 * features and where we push to. Validated (zod) wherever it enters: the CLI, the seed, the table.
 * The grant rules over it are in ./grants.ts; the table is shared/store/partners.ts.
 */
import * as z from 'zod/mini';
import { AreaCodePrefixSchema, loadProfiles, type Profile, ProfileNameSchema } from '../tcec/profiles.ts';
import { atImport } from './once.ts';
import { RateLimitSchema } from './rate-limit.ts';

export const DialectSchema = /* @__PURE__ */ atImport(() => z.enum(['cec2016', 'xiaoju']));

/**
 * Which way a partner roams (issue 12). `in`: the partner's users charge on OUR piles (we are the
 * operator side, it calls our query_* interfaces). `out`: OUR users charge on the partner's piles
 * (we are the customer side: we call its query_* interfaces with the outbound set and serve its
 * notification_* / check_charge_orders). Default: in only, as before roaming out existed.
 */
export const RoamingSchema = /* @__PURE__ */ atImport(() =>
  z
    .object({ in: z._default(z.boolean(), true), out: z._default(z.boolean(), false) })
    .check(z.refine((r) => r.in || r.out, 'roaming: at least one of in/out must be true')),
);
export type Roaming = z.infer<typeof RoamingSchema>;

const IN_ONLY: Roaming = { in: true, out: false };

/** A partner's roles; a record written before roaming existed (no `roaming`) is in only. */
export const roamingOf = (p: { roaming?: Roaming | undefined }): Roaming => p.roaming ?? IN_ONLY;

/** The rule both the seed and the registry check: we can only call a roam-out partner if we know where and how. */
export const roamingProblem = (p: { roaming?: Roaming | undefined; outbound?: { baseUrl: string } | undefined }): string | undefined =>
  roamingOf(p).out && !p.outbound ? 'roaming.out needs the outbound set (baseUrl and secrets) we call the partner with' : undefined;

/** optional extension interfaces and per-partner jobs, the same in the seed and the registry */
export const PartnerFeaturesSchema = /* @__PURE__ */ atImport(() =>
  z._default(
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
  ),
);

/**
 * A supervision partner names a supervision profile and has a region (its own or its profile's);
 * an `areaCodes` on a commercial partner is a mistake (it would not be read).
 */
export const supervisionProblem = (p: {
  kind?: 'commercial' | 'supervision' | undefined;
  profile?: string | undefined;
  profiles?: Record<string, unknown> | undefined;
  areaCodes?: readonly string[] | undefined;
}): { path: string; message: string } | undefined => {
  if (p.kind !== 'supervision') return p.areaCodes ? { path: 'areaCodes', message: 'only a supervision partner has areaCodes' } : undefined;
  if (!p.profile) return { path: 'profile', message: 'a supervision partner names its profile (beijing, chengdu, provincial, …)' };
  let sup: Profile['supervision'];
  try {
    sup = loadProfiles(p.profiles ?? {}).get(p.profile)?.supervision;
  } catch (err) {
    return { path: 'profiles', message: (err as Error).message };
  }
  if (!sup) return { path: 'profile', message: `'${p.profile}' is not a supervision profile` };
  if (!p.areaCodes && !sup.areaCodes) return { path: 'areaCodes', message: 'a supervision partner needs areaCodes (its profile has none)' };
  return undefined;
};

export const PartnerSchema = /* @__PURE__ */ atImport(() =>
  z
    .object({
      operatorId: z.string().check(z.regex(/^[0-9A-Za-z]{9}$/, 'OperatorID must be 9 letters or digits')),
      name: z.string().check(z.minLength(1), z.maxLength(64)),
      dialect: z._default(DialectSchema, 'cec2016'),
      /** '*' = every station, else the StationIDs the partner may see and use */
      stations: z._default(z.union([z.literal('*'), z.array(z.string().check(z.minLength(1), z.maxLength(20)))]), '*'),
      status: z._default(z.enum(['active', 'suspended']), 'active'),
      /**
       * `supervision`: a government supervision platform (§5.3) — it names a profile with a
       * `supervision` section and sees every station of its region (`areaCodes`), not a grant list.
       * Absent: a commercial partner.
       */
      kind: z.optional(z.enum(['commercial', 'supervision'])),
      /** a supervision platform's region: AreaCode prefixes (absent: the profile's) */
      areaCodes: z.optional(z.array(AreaCodePrefixSchema).check(z.minLength(1))),
      /**
       * the partner's profile (shared/tcec/profiles.ts): a built-in (`cec2016`, `xiaoju`, `didi`, an
       * OEM's) or one of `profiles`; absent = the profile named like its dialect
       */
      profile: z.optional(ProfileNameSchema),
      /** the custom profile specs `profile` resolves through (a seed's `profiles`), validated at load */
      profiles: z.optional(z.record(z.string(), z.unknown())),
      /**
       * who serves its calls: `oem` = only its OEM's own stack (infra/oem-stack.ts), the core refuses
       * it. Onboarding sets it from the profile (`oem: true`); absent = derived the same way
       * (shared/domain/partner-profile.ts servedByOf). `core` keeps an OEM-profile partner on the core.
       */
      servedBy: z.optional(z.enum(['core', 'oem'])),
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
        const sup = supervisionProblem(p);
        if (sup) ctx.addIssue({ code: 'custom', path: [sup.path], message: sup.message });
      }),
    ),
);
export type Partner = z.infer<typeof PartnerSchema>;
