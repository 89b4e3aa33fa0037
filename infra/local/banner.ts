/**
 * The start banner of `npm start`. Secrets are printed only for the built-in demo seed (public
 * demo values, never real ones); with `--seed FILE` the banner names the partners and says where
 * their secrets are — the seed file and the local secrets store — never the secrets themselves.
 */
import { join } from 'node:path';
import type { Seed } from '../../shared/seed.ts';

export interface BannerInput {
  apiUrl: string;
  seed: Seed;
  seedFile: string;
  /** the seed is the built-in demo seed (infra/local/defaults.ts DEFAULT_SEED) */
  builtInSeed: boolean;
  dataDir?: string;
  fresh: boolean;
  /** the piles line */
  piles: string;
  /** the default port is in use: `npm run partner` needs no --base-url */
  defaultPort: boolean;
  /** the app API's bearer key (local, not a partner secret) and whether it came from EVCS_APP_API_KEY */
  appApiKey?: { key: string; fromEnv: boolean };
  /** the admin API's bearer key (the operator console) */
  adminApiKey?: string;
  /** the key was generated at this start (not EVCS_ADMIN_API_KEY's, which is never printed) */
  adminKeyGenerated?: boolean;
}

export const startBanner = (b: BannerInput): string => {
  const lines = [
    '',
    'EVCS Interconnect is running locally.',
    `  API          ${b.apiUrl}/evcs/v1/<interface>     (health: ${b.apiUrl}/health)`,
    `  our OperatorID  ${b.seed.operatorId}`,
    `  data dir     ${b.dataDir ?? '(in memory)'}${b.fresh ? ' (fresh)' : ''}`,
    `  piles        ${b.piles}`,
    `  OCPP 1.6J    ${b.apiUrl.replace(/^http/, 'ws')}/ocpp/<EquipmentID>   (passwords: npm run evcs -- piles credentials --equipment-id ID)`,
    ...(b.appApiKey
      ? [
          `  app API      ${b.apiUrl}/app/v1/stations|sessions   Authorization: Bearer ${b.appApiKey.fromEnv ? '$EVCS_APP_API_KEY' : b.appApiKey.key}${b.appApiKey.fromEnv ? '' : '   (generated; set EVCS_APP_API_KEY to choose it)'}`,
        ]
      : []),
    ...(b.adminApiKey
      ? b.adminKeyGenerated
        ? [
            `  console      ${b.apiUrl}/console/#key=${b.adminApiKey}   (admin API key generated for this run; set EVCS_ADMIN_API_KEY to fix it)`,
          ]
        : [`  console      ${b.apiUrl}/console/   (admin API key: the one in EVCS_ADMIN_API_KEY)`]
      : []),
    '',
  ];
  const demo = b.seed.partners[0];
  if (b.builtInSeed && demo) {
    lines.push(
      `Demo partner "${demo.name}" (local demo secrets, never real ones):`,
      `  OperatorID      ${demo.operatorId}`,
      `  OperatorSecret  ${demo.inbound.operatorSecret}`,
      `  DataSecret      ${demo.inbound.dataSecret}`,
      `  DataSecretIV    ${demo.inbound.dataSecretIV}`,
      `  SigSecret       ${demo.inbound.sigSecret}`,
      '',
      `Try:  npm run partner -- query_token${b.defaultPort ? '' : `   (with --base-url ${b.apiUrl}/evcs/v1/)`}`,
    );
  } else {
    const store = b.dataDir ? join(b.dataDir, 'secrets.json') : 'in memory';
    lines.push(
      `Partners (${b.seed.partners.length}) from ${b.seedFile}:`,
      ...b.seed.partners.map((p) => `  ${p.operatorId.padEnd(12)}  ${p.name}`),
      `  their secrets: in the seed file and the local secrets store (${store}); not printed`,
    );
  }
  lines.push('Ctrl-C stops everything.', '');
  return lines.join('\n');
};
