/**
 * The seed file: the local fixture (and what tests use) — our OperatorID, the partners with
 * both secret sets, and the stations as T/CEC 102 spells them (plus a `PolicyInfos` array with
 * the station's time-of-use prices).
 *
 * The whole file is validated on load and EVERY problem is reported with its path
 * (`partners[1].inbound.dataSecret: must be exactly 16 bytes`), before anything is written.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DialectSchema, PartnerFeaturesSchema, RoamingSchema, roamingProblem, supervisionProblem } from './domain/partners.ts';
import { RateLimitSchema } from './domain/rate-limit.ts';
import { SecretSetSchema } from './store/secrets.ts';
import { AreaCodePrefixSchema, loadProfiles, ProfileError, ProfileNameSchema } from './tcec/profiles.ts';

const SeedPartnerSchema = z.object({
  operatorId: z.string().regex(/^[0-9A-Za-z]{9}$/, 'must be 9 letters or digits'),
  name: z.string().min(1).max(64),
  dialect: z._default(DialectSchema, 'cec2016'),
  /** a built-in profile or one of the seed's `profiles` (shared/tcec/profiles.ts) */
  profile: z.optional(ProfileNameSchema),
  inbound: SecretSetSchema,
  outbound: z
    .object({
      ...SecretSetSchema.shape,
      baseUrl: z.string().url(),
      /** per-interface path overrides (absolute URL or path relative to baseUrl) */
      paths: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  stations: z.union([z.literal('*'), z.array(z.string().min(1).max(20))]).default('*'),
  features: PartnerFeaturesSchema,
  /** `{ "rps": 20, "burst": 40 }`; absent = the default budget */
  rateLimit: z.optional(RateLimitSchema),
  /** `{ "in": true, "out": true }`: which way the partner roams (shared/domain/partners.ts); default in only */
  roaming: z.optional(RoamingSchema),
  /** `supervision`: a government supervision platform (issue 13): its `profile` has a supervision section */
  kind: z.enum(['commercial', 'supervision']).optional(),
  /** a supervision platform's region: AreaCode prefixes (`["11"]`); absent: its profile's */
  areaCodes: z.array(AreaCodePrefixSchema).min(1).optional(),
});
export type SeedPartner = z.infer<typeof SeedPartnerSchema>;

const SeedChargePointSchema = z.object({
  chargePointId: z.string().min(1).max(48),
  /** OCPP security profile 1 password (AuthorizationKey): 16–40 characters */
  password: z.string().min(16).max(40).optional(),
  /** false: a real charger connects as this charge point, the simulator leaves it alone */
  simulated: z.boolean().default(true),
});

/**
 * Stations are validated field by field by the stations loader (shared/domain/station-records.ts); here the
 * seed only requires an array of objects, so that a partner-only seed stays valid.
 */
const SeedSchema = z
  .object({
    operatorId: z.string().regex(/^[0-9A-Z]{9}$/, 'must be 9 upper-case letters or digits'),
    partners: z.array(SeedPartnerSchema).min(1),
    stations: z.array(z.record(z.string(), z.unknown())).default([]),
    /** custom partner profiles: `{ "<name>": { "extends": "didi", "rename": {…}, … } }` (shared/tcec/profiles.ts) */
    profiles: z.record(z.string(), z.unknown()).default({}),
    /**
     * OCPP charge points (every EquipmentID of the stations is one; ConnectorInfos in order are its
     * connectors 1..n): a password of its own, or `simulated: false` to leave it to a real charger.
     * Without an entry a charge point gets a generated password (shared/services/ocpp-registry.ts).
     */
    chargePoints: z.array(SeedChargePointSchema).default([]),
  })
  .superRefine((seed, ctx) => {
    let known: ReadonlySet<string> = new Set();
    try {
      known = new Set(loadProfiles(seed.profiles).keys());
    } catch (err) {
      if (!(err instanceof ProfileError)) throw err;
      ctx.addIssue({ code: 'custom', path: [], message: err.message });
    }
    seed.partners.forEach((p, i) => {
      if (p.profile !== undefined && known.size && !known.has(p.profile))
        ctx.addIssue({ code: 'custom', path: ['partners', i, 'profile'], message: `unknown profile '${p.profile}'` });
    });
    const seen = new Set<string>();
    seed.partners.forEach((p, i) => {
      if (seen.has(p.operatorId))
        ctx.addIssue({ code: 'custom', path: ['partners', i, 'operatorId'], message: `duplicate OperatorID ${p.operatorId}` });
      seen.add(p.operatorId);
      const roaming = roamingProblem(p);
      if (roaming) ctx.addIssue({ code: 'custom', path: ['partners', i, 'roaming', 'out'], message: roaming });
      const sup = known.size ? supervisionProblem({ ...p, profiles: seed.profiles }) : undefined;
      if (sup) ctx.addIssue({ code: 'custom', path: ['partners', i, sup.path], message: sup.message });
      if (p.operatorId === seed.operatorId)
        ctx.addIssue({ code: 'custom', path: ['partners', i, 'operatorId'], message: 'a partner cannot have our own OperatorID' });
    });
  });
export type Seed = z.infer<typeof SeedSchema>;

export class SeedError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  }
}

const issuePath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');

/** Every issue of a zod error, each as `path: message`. */
const listIssues = (err: z.ZodError): string[] => err.issues.map((i) => `${issuePath(i.path) || '(root)'}: ${i.message}`);

const parseSeed = (json: unknown, file = 'seed'): Seed => {
  const res = SeedSchema.safeParse(json);
  if (!res.success) throw new SeedError(file, listIssues(res.error));
  return res.data;
};

export const readSeed = (file: string): Seed => {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SeedError(file, [`not readable JSON: ${(err as Error).message}`]);
  }
  return parseSeed(json, file);
};
