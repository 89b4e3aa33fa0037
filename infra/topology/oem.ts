/**
 * OEMs (one-to-one msp deployments): an OEM's name is the name of its profile — a built-in one or
 * one given as data (a file of profile specs, a seed's `profiles`) — marked `"oem": true` and served
 * under its own prefix. Plain data, read by the CDK app (infra/app.ts, infra/oem-stack.ts) and the
 * local runtime (`npm start -- --oem <name> [--seed FILE]`): both serve the same functions
 * (`oemFunctions`), each with `OEM_NAME` set so the gateway serves the OEM's partners only.
 */
import { readFileSync } from 'node:fs';
import { isOemProfile, loadProfiles, type Profile } from '../../shared/tcec/profiles.ts';
import { readsCoreBuckets } from './environment.ts';
import { TCEC_BASE_PATH } from './helpers.ts';
import type { FunctionDecl, Topology } from './types.ts';

/** `oem-example` → `EvcsOemExample`, `bmw` → `EvcsOemBmw` */
export const oemStackName = (oem: string): string =>
  `EvcsOem${oem
    .replace(/^oem-/, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('')}`;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The profile specs of a JSON file (OEMs at synth, `partners add --profiles-file`): `{ "<name>":
 * <profile spec>, … }`, or a seed's shape `{ "profiles": { … }, … }`. Only read here: the specs are
 * validated when a profile is resolved (an error naming `profiles.<name>.<section>.<field>`).
 */
export const readProfileSpecs = (file: string): Record<string, unknown> => {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`profiles file ${file}: not readable JSON: ${(err as Error).message}`);
  }
  if (!isRecord(json)) throw new Error(`profiles file ${file}: an object of profile specs, { "<name>": { "extends": … } }`);
  // a seed (its `profiles` holds the specs) or the specs themselves
  const profiles = json.profiles;
  return isRecord(profiles) && !Object.hasOwn(profiles, 'extends') ? profiles : json;
};

/**
 * The OEM's profile, validated: a built-in or one of `custom` (profile specs given as data), marked
 * `"oem": true`, with its own prefix. Any problem → an error naming the OEM (and the spec's field).
 */
export const oemProfile = (oem: string, custom: Readonly<Record<string, unknown>> = {}): Profile => {
  let all: ReadonlyMap<string, Profile>;
  try {
    all = loadProfiles(custom);
  } catch (err) {
    throw new Error(`oem '${oem}': ${(err as Error).message}`);
  }
  const p = all.get(oem);
  if (!p) throw new Error(`oem '${oem}': no built-in profile of that name (shared/tcec/profiles.ts), nor one in the OEM profiles given`);
  if (p.servedAt === `${TCEC_BASE_PATH}/`)
    throw new Error(`oem '${oem}': its profile is served at ${p.servedAt}; an OEM needs its own prefix`);
  if (!isOemProfile(p))
    throw new Error(`oem '${oem}': its profile is not marked "oem": true (its partners would be served by the core as well)`);
  return p;
};

/**
 * What an OEM serves: every T/CEC function of the topology we serve, routed at the OEM's prefix,
 * L1 (a one-to-one deployment), with `OEM_NAME` in its environment. Not the interfaces that read the
 * core's buckets (query_invoice_info's download link): an OEM imports the core's tables and queues,
 * not its buckets, so the core serves those to the OEM's partners too (`OEM_PARTNERS_SERVED`).
 */
export const oemFunctions = (topology: Pick<Topology, 'functions'>, oem: string, profile: Profile): FunctionDecl[] =>
  topology.functions.flatMap((decl) => {
    if (decl.localOnly || readsCoreBuckets(decl)) return [];
    const t = decl.triggers.find((x) => x.type === 'http' && x.path.startsWith(`${TCEC_BASE_PATH}/`));
    if (t?.type !== 'http') return [];
    const iface = t.path.slice(TCEC_BASE_PATH.length + 1);
    return [
      {
        ...decl,
        tier: 'L1' as const,
        description: `${decl.description} (OEM ${oem})`,
        environment: { ...decl.environment, OEM_NAME: oem },
        triggers: [{ type: 'http' as const, method: 'POST' as const, path: `${profile.servedAt}${iface}` }],
      },
    ];
  });
