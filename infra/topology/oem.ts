/**
 * OEMs (one-to-one msp deployments): an OEM's name is the name of a built-in profile served under
 * its own prefix. Plain data, read by the CDK app (infra/oem-stack.ts) and the local runtime
 * (`npm start -- --oem <name>`).
 */
import { loadProfiles, type Profile } from '../../shared/tcec/profiles.ts';
import { TCEC_BASE_PATH } from './helpers.ts';

/** `oem-example` → `EvcsOemExample`, `bmw` → `EvcsOemBmw` */
export const oemStackName = (oem: string): string =>
  `EvcsOem${oem
    .replace(/^oem-/, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('')}`;

/** The OEM's profile: a built-in profile served under its own prefix (else an error naming the OEM). */
export const oemProfile = (oem: string): Profile => {
  const p = loadProfiles().get(oem);
  if (!p) throw new Error(`oem '${oem}': no built-in profile of that name (shared/tcec/profiles.ts)`);
  if (p.servedAt === `${TCEC_BASE_PATH}/`)
    throw new Error(`oem '${oem}': its profile is served at ${p.servedAt}; an OEM needs its own prefix`);
  return p;
};
