/**
 * The partner CLI: call any T/CEC interface of the platform as a partner would.
 *
 *   npm run partner -- query_token
 *   npm run partner -- query_stations_info '{"PageNo":1,"PageSize":10}'
 *   npm run partner -- --operator MA02XJ7K3 query_station_status '{"StationIDs":["ST0001"]}'
 *
 * Credentials: a partner of the seed (default: the first one of the local demo seed), or flags /
 * environment (PARTNER_OPERATOR_ID, PARTNER_OPERATOR_SECRET, PARTNER_DATA_SECRET,
 * PARTNER_DATA_SECRET_IV, PARTNER_SIG_SECRET). Prints the decrypted response and whether its Sig verified.
 */

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readSeed } from '../../shared/seed.ts';
import { TcecClient } from '../../shared/tcec/client.ts';
import { DEFAULT_SEED } from '../local/defaults.ts';

const USAGE = `usage: npm run partner -- [--base-url URL] [--seed FILE] [--operator ID] <interface> ['<json Data>']`;

const main = async (): Promise<number> => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'base-url': { type: 'string', default: process.env.EVCS_BASE_URL ?? 'http://127.0.0.1:8080/evcs/v1/' },
      seed: { type: 'string' },
      operator: { type: 'string', default: process.env.PARTNER_OPERATOR_ID },
      'operator-secret': { type: 'string', default: process.env.PARTNER_OPERATOR_SECRET },
      'data-secret': { type: 'string', default: process.env.PARTNER_DATA_SECRET },
      'data-secret-iv': { type: 'string', default: process.env.PARTNER_DATA_SECRET_IV },
      'sig-secret': { type: 'string', default: process.env.PARTNER_SIG_SECRET },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [iface, json] = positionals;
  if (values.help || !iface) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  let data: unknown = {};
  if (json !== undefined) {
    try {
      data = JSON.parse(json);
    } catch {
      console.error(`Data is not JSON: ${json}`);
      return 2;
    }
  }

  let operatorId = values.operator;
  let secrets =
    values['operator-secret'] && values['data-secret'] && values['data-secret-iv'] && values['sig-secret']
      ? {
          operatorSecret: values['operator-secret'],
          dataSecret: values['data-secret'],
          dataSecretIV: values['data-secret-iv'],
          sigSecret: values['sig-secret'],
        }
      : undefined;
  if (!secrets) {
    const seed = readSeed(resolve(values.seed ?? DEFAULT_SEED));
    const p = operatorId ? seed.partners.find((x) => x.operatorId === operatorId) : seed.partners[0];
    if (!p) {
      console.error(`no partner ${operatorId} in the seed`);
      return 2;
    }
    operatorId = p.operatorId;
    secrets = p.inbound;
  }
  if (!operatorId) {
    console.error('no OperatorID: pass --operator');
    return 2;
  }

  const baseUrl = values['base-url'];
  if (!baseUrl) {
    console.error('no base URL: pass --base-url or set EVCS_BASE_URL');
    return 2;
  }
  const client = new TcecClient({ baseUrl, ourOperatorId: operatorId, secrets });
  if (iface === 'query_token') {
    if (json === undefined) data = { OperatorID: operatorId, OperatorSecret: secrets.operatorSecret };
  }
  const res = await client.call(iface, data);
  console.log(`${iface} as ${operatorId} → ${baseUrl}`);
  console.log(`Ret ${res.ret}${res.msg ? ` (${res.msg})` : ''}   Sig ${res.sigVerified ? 'verified' : 'NOT verified'}`);
  if (res.data !== undefined) console.log(JSON.stringify(res.data, null, 2));
  return res.ret === 0 && res.sigVerified ? 0 : 1;
};

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
