/**
 * Test support for the supervision tests (issue 13): the shipped profiles and three supervision
 * platforms under them — Beijing (region 11), Chengdu (5101) and a provincial one whose regions the
 * test chooses.
 */
import type { Supervisor } from '../../shared/push/supervision.ts';
import { loadProfiles } from '../../shared/tcec/profiles.ts';

/** the shipped partner profiles (shared/tcec/profiles) */
export const profiles = loadProfiles();

const supervisor = (profile: string, operatorId: string, region: string[]): Supervisor => {
  const rules = profiles.get(profile)?.supervision;
  if (!rules) throw new Error(`profile ${profile} has no supervision rules`);
  return { operatorId, rules, region };
};

/** Beijing, Chengdu and a provincial platform of `provincialRegion`; ALL the three. */
export const supervisors = (provincialRegion: string[]) => {
  const BJ = supervisor('beijing', 'GOVBJ0001', ['11']);
  const CD = supervisor('chengdu', 'GOVCD0001', ['5101']);
  const PV = supervisor('provincial', 'GOVPV0001', provincialRegion);
  return { BJ, CD, PV, ALL: [BJ, CD, PV] };
};
