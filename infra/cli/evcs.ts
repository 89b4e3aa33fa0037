/**
 * The operator CLI.
 *
 *   npm run evcs -- partners list
 *   npm run evcs -- partners add --operator-id MA03ABCD4 --name "Fleet Co" [--dialect xiaoju]
 *        [--stations ST1,ST2] [--base-url https://partner/evcs/v1/ --outbound-operator-secret … \
 *         --outbound-data-secret … --outbound-data-secret-iv … --outbound-sig-secret …]
 *   npm run evcs -- partners rotate --operator-id MA03ABCD4 [--grace-seconds 604800]
 *   npm run evcs -- roaming sync --partner MA01H3BQ2 [--full]   (pull a roam-out partner's stations now)
 *   npm run evcs -- dlq list [--queue push-deliveries] [--max N]     (messages a consumer gave up on, with the reason)
 *   npm run evcs -- dlq replay [--queue push-deliveries] [--max N] [--message-id ID]   (back to the queue, fresh budget)
 *   npm run evcs -- stations import FILE   (JSON: seed file or StationInfo array; CSV: one row per connector,
 *        columns documented in shared/domain/station-records.ts) — all-or-nothing, idempotent
 *
 * It talks to the running local platform (npm start) when one is running, else to AWS with the
 * ambient credentials and the resource names in the environment.
 */
import { parseArgs } from 'node:util';
import { config } from '../../shared/config.ts';
import { roamingOf } from '../../shared/domain/partners.ts';
import { StationImportError } from '../../shared/domain/station-records.ts';
import { listDlq, replayDlq } from '../../shared/push/dlq.ts';
import { onboardPartner, rotateInbound } from '../../shared/services/onboarding.ts';
import { syncPartnerCatalog } from '../../shared/services/roaming-catalog.ts';
import { importStationsFile } from '../../shared/services/station-import.ts';
import { getPartner, listPartners } from '../../shared/store/partners.ts';
import type { SecretSet } from '../../shared/tcec/crypto.ts';
import { connect } from './connect.ts';

const USAGE = `usage:
  npm run evcs -- partners list
  npm run evcs -- partners add --operator-id ID --name NAME [--dialect cec2016|xiaoju] [--stations '*'|ST1,ST2]
                               [--query-charge-info] [--roaming in|out|in,out (default in)] [--base-url URL --outbound-operator-secret S
                                --outbound-data-secret S --outbound-data-secret-iv S --outbound-sig-secret S]
  npm run evcs -- partners rotate --operator-id ID [--grace-seconds N]
  npm run evcs -- stations import FILE       (seed/station JSON, or CSV with one row per connector)
  npm run evcs -- roaming sync --partner ID [--full]   (pull a roam-out partner's stations now, print counts)
  npm run evcs -- dlq list|replay [--queue NAME (default push-deliveries)] [--max N] [--message-id ID]
options: --data-dir DIR (the local platform's data dir, default .data)`;

const handover = (ourOperatorId: string, operatorId: string, inbound: SecretSet, apiUrl?: string): string =>
  [
    `Hand this to partner ${operatorId} over a secure channel (it is shown once):`,
    `  our OperatorID       ${ourOperatorId}`,
    `  base URL             ${apiUrl ?? '<the ApiUrl output of the stack>'}evcs/v1/`,
    `  their OperatorID     ${operatorId}   (they put it in every envelope)`,
    `  OperatorSecret       ${inbound.operatorSecret}`,
    `  DataSecret           ${inbound.dataSecret}`,
    `  DataSecretIV         ${inbound.dataSecretIV}`,
    `  SigSecret            ${inbound.sigSecret}`,
  ].join('\n');

const main = async (): Promise<number> => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      'operator-id': { type: 'string' },
      name: { type: 'string' },
      dialect: { type: 'string', default: 'cec2016' },
      stations: { type: 'string', default: '*' },
      'query-charge-info': { type: 'boolean', default: false },
      roaming: { type: 'string', default: 'in' },
      'base-url': { type: 'string' },
      'outbound-operator-secret': { type: 'string' },
      'outbound-data-secret': { type: 'string' },
      'outbound-data-secret-iv': { type: 'string' },
      'outbound-sig-secret': { type: 'string' },
      'grace-seconds': { type: 'string' },
      queue: { type: 'string', default: 'push-deliveries' },
      max: { type: 'string' },
      'message-id': { type: 'string' },
      partner: { type: 'string' },
      full: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [group, verb] = positionals;
  if (values.help || !group) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const where = connect(values['data-dir']);
  const apiUrl = where.apiUrl ? `${where.apiUrl.replace(/\/$/, '')}/` : undefined;

  if (group === 'partners' && verb === 'list') {
    const partners = await listPartners();
    for (const p of partners) {
      const stations = p.stations === '*' ? 'all stations' : `${p.stations.length} station(s)`;
      const r = roamingOf(p);
      const roams = [r.in ? 'in' : '', r.out ? 'out' : ''].filter(Boolean).join(',');
      console.log(
        `${p.operatorId}  ${p.status.padEnd(9)} ${p.dialect.padEnd(8)} ${stations.padEnd(14)} ${p.outbound?.baseUrl ?? '-'}  ${p.name}  roaming ${roams}`,
      );
    }
    if (!partners.length) console.log('(no partners)');
    return 0;
  }

  if (group === 'partners' && verb === 'add') {
    const operatorId = values['operator-id'];
    const name = values.name;
    if (!operatorId || !name) throw new Error('--operator-id and --name are required');
    if (values.dialect !== 'cec2016' && values.dialect !== 'xiaoju') throw new Error('--dialect must be cec2016 or xiaoju');
    const o = values;
    const outbound = o['base-url']
      ? {
          baseUrl: o['base-url'],
          operatorSecret: required(o['outbound-operator-secret'], '--outbound-operator-secret'),
          dataSecret: required(o['outbound-data-secret'], '--outbound-data-secret'),
          dataSecretIV: required(o['outbound-data-secret-iv'], '--outbound-data-secret-iv'),
          sigSecret: required(o['outbound-sig-secret'], '--outbound-sig-secret'),
        }
      : undefined;
    const { inbound } = await onboardPartner({
      operatorId,
      name,
      dialect: values.dialect,
      stations:
        values.stations === '*'
          ? '*'
          : values.stations
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
      features: { queryChargeInfo: values['query-charge-info'] },
      roaming: parseRoaming(values.roaming),
      ...(outbound ? { outbound } : {}),
    });
    console.log(`partner ${operatorId} onboarded (${where.target})`);
    console.log(handover(config().OPERATOR_ID, operatorId, inbound, apiUrl));
    return 0;
  }

  if (group === 'partners' && verb === 'rotate') {
    const operatorId = required(values['operator-id'], '--operator-id');
    const grace = values['grace-seconds'] ? Number(values['grace-seconds']) : config().ROTATION_GRACE_SECONDS;
    if (!Number.isInteger(grace) || grace < 0) throw new Error('--grace-seconds must be a non-negative integer');
    const { inbound, previousValidUntil } = await rotateInbound(operatorId, grace);
    console.log(`inbound secrets of ${operatorId} rotated; the previous set stays valid until ${previousValidUntil.toISOString()}`);
    console.log(handover(config().OPERATOR_ID, operatorId, inbound, apiUrl));
    return 0;
  }

  if (group === 'stations' && verb === 'import') {
    const file = positionals[2];
    if (!file) throw new Error('stations import needs a FILE');
    try {
      const sum = await importStationsFile(file, { operatorId: config().OPERATOR_ID });
      console.log(
        `${file}: ${sum.stations} station(s) imported into ${where.target} — ${sum.created} new, ${sum.changed} changed, ${sum.unchanged} unchanged ` +
          `(${sum.equipmentChanged} equipment, ${sum.connectorsChanged} connector(s), ${sum.policiesChanged} price polic(ies) changed)`,
      );
      return 0;
    } catch (err) {
      if (err instanceof StationImportError) {
        console.error(err.message);
        return 1;
      }
      throw err;
    }
  }

  if (group === 'roaming' && verb === 'sync') {
    const id = required(values.partner, '--partner');
    const partner = await getPartner(id, { fresh: true });
    if (!partner) throw new Error(`no partner ${id}`);
    const s = await syncPartnerCatalog(partner, new Date(), { full: values.full });
    console.log(
      `partner ${id}: ${s.stations} station(s) in ${s.pages} page(s), ${s.requests} request(s), ${s.incremental ? 'changes since the last pull' : 'complete pull'} (${where.target})`,
    );
    return 0;
  }

  if (group === 'dlq' && (verb === 'list' || verb === 'replay')) {
    const sourceUrl = config().queueUrl(values.queue);
    const max = values.max ? Number(values.max) : verb === 'list' ? 100 : Number.POSITIVE_INFINITY;
    if (!(max > 0)) throw new Error('--max must be a positive number');
    if (verb === 'list') {
      const msgs = await listDlq(sourceUrl, max);
      for (const m of msgs) {
        const d = m.delivery;
        console.log(
          d
            ? `${m.messageId}  ${d.iface}  partner ${d.partner}  ${d.id}  attempts ${d.attempt}  ${d.parked?.reason ?? d.lastError?.msg ?? '(no reason recorded)'}`
            : `${m.messageId}  ${m.sentAt ?? ''}  ${m.body.slice(0, 160)}`,
        );
      }
      console.log(`${msgs.length} message(s) in the DLQ of ${values.queue} (${where.target})`);
      return 0;
    }
    const id = values['message-id'];
    const moved = await replayDlq(sourceUrl, max, id ? (m) => m.messageId === id : undefined);
    console.log(`${moved} message(s) replayed from the DLQ of ${values.queue} (${where.target})`);
    return 0;
  }

  console.error(USAGE);
  return 2;
};

/** `--roaming in,out` → the partner's roles (onboarding validates that `out` comes with the outbound set). */
function parseRoaming(v: string): { in: boolean; out: boolean } {
  const parts = v.split(',').map((s) => s.trim());
  if (!parts.length || parts.some((p) => p !== 'in' && p !== 'out')) throw new Error('--roaming must be in, out or in,out');
  return { in: parts.includes('in'), out: parts.includes('out') };
}

function required(v: string | undefined, flag: string): string {
  if (!v) throw new Error(`${flag} is required`);
  return v;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
