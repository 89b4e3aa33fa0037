/**
 * Partner onboarding and secret rotation (model A of reference §2.2):
 *   inbound  = the set WE issue to the partner; it calls us with its own OperatorID and these,
 *   outbound = the set the partner issued to US; we call it with our OperatorID and these.
 * Rotation replaces the inbound set and keeps the old one valid for a grace period, so a partner
 * can switch without an outage.
 */
import { randomInt } from 'node:crypto';
import { profileOf, servedByOf } from '../domain/partner-profile.ts';
import { type Partner, PartnerSchema } from '../domain/partners.ts';
import type { SeedPartner } from '../seed.ts';
import { getPartner, putPartner } from '../store/partners.ts';
import { getPartnerSecrets, type PartnerSecrets, PartnerSecretsSchema, putPartnerSecrets } from '../store/secrets.ts';
import type { SecretSet } from '../tcec/crypto.ts';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** `n` characters from an unambiguous alphanumeric alphabet, from the CSPRNG (ASCII, so 16 chars = 16 bytes). */
const randomSecret = (n = 16): string => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

const generateSecretSet = (): SecretSet => ({
  operatorSecret: randomSecret(16),
  dataSecret: randomSecret(16),
  dataSecretIV: randomSecret(16),
  sigSecret: randomSecret(16),
});

export interface OnboardInput {
  operatorId: string;
  name: string;
  dialect?: Partner['dialect'];
  stations?: Partner['stations'];
  features?: Partner['features'];
  /** a profile name; `profiles` the custom specs it resolves through */
  profile?: string;
  profiles?: Record<string, unknown>;
  rateLimit?: Partner['rateLimit'];
  roaming?: Partner['roaming'];
  kind?: Partner['kind'];
  areaCodes?: Partner['areaCodes'];
  /** who serves its calls (default: `oem` for an OEM's own profile, else the core) */
  servedBy?: Partner['servedBy'];
  inbound?: SecretSet;
  outbound?: SecretSet & { baseUrl: string; paths?: Record<string, string> };
}

/** Create or replace a partner: registry record + secrets. Returns the inbound set to hand over. */
export const onboardPartner = async (input: OnboardInput): Promise<{ partner: Partner; inbound: SecretSet }> => {
  const inbound = input.inbound ?? generateSecretSet();
  const { baseUrl, paths, ...outboundSecrets } = input.outbound ?? ({} as Partial<NonNullable<OnboardInput['outbound']>>);
  const secrets: PartnerSecrets = {
    inbound,
    ...(input.outbound ? { outbound: outboundSecrets as SecretSet } : {}),
  };
  // validate everything before writing anything: no half-onboarded partner
  const partner: Partner = PartnerSchema.parse({
    operatorId: input.operatorId,
    name: input.name,
    dialect: input.dialect ?? 'cec2016',
    stations: input.stations ?? '*',
    status: 'active',
    features: input.features ?? { queryChargeInfo: false },
    ...(input.profile ? { profile: input.profile } : {}),
    ...(input.profiles && Object.keys(input.profiles).length ? { profiles: input.profiles } : {}),
    ...(input.rateLimit ? { rateLimit: input.rateLimit } : {}),
    ...(input.roaming ? { roaming: input.roaming } : {}),
    ...(input.kind ? { kind: input.kind } : {}),
    ...(input.areaCodes ? { areaCodes: input.areaCodes } : {}),
    ...(baseUrl ? { outbound: { baseUrl, ...(paths ? { paths } : {}) } } : {}),
  });
  PartnerSecretsSchema.parse(secrets);
  // an unknown or invalid profile throws before anything is written; an OEM's partner is recorded as the OEM stack's
  const profile = profileOf(partner);
  const servedBy = servedByOf({ servedBy: input.servedBy }, profile);
  if (servedBy === 'oem' || input.servedBy) partner.servedBy = servedBy;
  // secrets first: a registry entry without secrets would answer 4001 to a correct partner
  await putPartnerSecrets(input.operatorId, secrets);
  await putPartner(partner);
  return { partner, inbound };
};

export const onboardFromSeed = (p: SeedPartner, profiles: Record<string, unknown> = {}) =>
  onboardPartner({
    operatorId: p.operatorId,
    name: p.name,
    dialect: p.dialect,
    ...(p.profile ? { profile: p.profile, profiles } : {}),
    stations: p.stations,
    features: p.features,
    ...(p.rateLimit ? { rateLimit: p.rateLimit } : {}),
    ...(p.roaming ? { roaming: p.roaming } : {}),
    ...(p.kind ? { kind: p.kind } : {}),
    ...(p.areaCodes ? { areaCodes: p.areaCodes } : {}),
    inbound: p.inbound,
    ...(p.outbound ? { outbound: p.outbound } : {}),
  });

/** New inbound set; the old one stays valid for `graceSeconds`. */
export const rotateInbound = async (
  operatorId: string,
  graceSeconds: number,
  now = new Date(),
): Promise<{ inbound: SecretSet; previousValidUntil: Date }> => {
  const partner = await getPartner(operatorId, { fresh: true });
  const current = await getPartnerSecrets(operatorId, true);
  if (!partner || !current) throw new Error(`no partner ${operatorId}`);
  const inbound = generateSecretSet();
  const previousValidUntil = new Date(now.getTime() + graceSeconds * 1000);
  await putPartnerSecrets(operatorId, {
    ...current,
    inbound,
    previousInbound: { set: current.inbound, validUntil: previousValidUntil.getTime() },
  });
  return { inbound, previousValidUntil };
};
