/**
 * The profile a partner is served under: its `profile` (a built-in, or one of the custom specs
 * its record carries), else the built-in named like its dialect. Resolved once per distinct
 * spec set and cached: a request pays a map lookup, not a validation.
 */
import { isOemProfile, loadProfiles, type Profile, ProfileError } from '../tcec/profiles.ts';
import { type Grantee, regionOf } from './grants.ts';
import type { Partner } from './partners.ts';

const cache = new Map<string, ReadonlyMap<string, Profile>>();

/** The partner's resolved profile; ProfileError if it names none or its specs are invalid. */
export const profileOf = (partner: Pick<Partner, 'dialect' | 'profile' | 'profiles'>): Profile => {
  const key = partner.profiles ? JSON.stringify(partner.profiles) : '';
  let all = cache.get(key);
  if (!all) {
    all = loadProfiles(partner.profiles ?? {});
    if (cache.size > 100) cache.clear();
    cache.set(key, all);
  }
  const name = partner.profile ?? partner.dialect;
  const p = all.get(name);
  if (!p) throw new ProfileError(`unknown profile '${name}'`);
  return p;
};

/** What the region rule reads of a partner (structural, like grants.ts's Grantee). */
interface RegionHolder extends Grantee {
  readonly dialect?: Partner['dialect'];
  readonly profile?: string | undefined;
  readonly profiles?: Record<string, unknown> | undefined;
}

/** A supervision platform's region (its AreaCode prefixes, else its profile's); undefined for any other partner. */
export const supervisionRegion = (partner: RegionHolder): readonly string[] | undefined =>
  partner.kind === 'supervision'
    ? regionOf(
        partner,
        profileOf({ dialect: partner.dialect ?? 'cec2016', profile: partner.profile, profiles: partner.profiles }).supervision?.areaCodes,
      )
    : undefined;

/** Who serves a partner's calls: its record's `servedBy`, else `oem` when its profile is an OEM's own. */
export const servedByOf = (partner: Pick<Partner, 'servedBy'>, profile: Profile): 'core' | 'oem' =>
  partner.servedBy ?? (isOemProfile(profile) ? 'oem' : 'core');
