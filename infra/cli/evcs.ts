/**
 * The operator CLI.
 *
 *   npm run evcs -- partners list
 *   npm run evcs -- partners add --operator-id MA03ABCD4 --name "Fleet Co" [--dialect xiaoju]
 *        [--profile didi | --profile acme --profiles-file profiles.json]
 *        [--stations ST1,ST2] [--rps 20 --burst 40] [--base-url https://partner/evcs/v1/ --outbound-operator-secret … \
 *         --outbound-data-secret … --outbound-data-secret-iv … --outbound-sig-secret …]
 *   npm run evcs -- partners rotate --operator-id MA03ABCD4 [--grace-seconds 604800]
 *   npm run evcs -- roaming sync --partner MA01H3BQ2 [--full]   (pull a roam-out partner's stations now)
 *   npm run evcs -- dlq list [--queue push-deliveries] [--max N]     (messages a consumer gave up on, with the reason)
 *   npm run evcs -- dlq replay [--queue push-deliveries] [--max N] [--message-id ID]   (back to the queue, fresh budget)
 *   npm run evcs -- trace ID [--aws]      (one order/connector/partner/trace's story in time order across functions)
 *   npm run evcs -- usage [--days 7] [--partner ID] [--aws]   (calls per interface per partner per day, Ret, p50/p99, unused interfaces)
 *   npm run evcs -- stations import FILE   (JSON: seed file or StationInfo array; CSV: one row per connector,
 *        columns documented in shared/domain/station-records.ts) — all-or-nothing, idempotent
 *
 *   npm run evcs -- reconcile run --partner ID --date YYYY-MM-DD   (check_charge_orders now; exit 0 answered,
 *        1 partner unreachable, 3 answer refused/malformed/suspicious, 2 usage)
 *   npm run evcs -- reconcile show --date YYYY-MM-DD [--partner ID] [--json]   (stored runs and disputes)
 *   npm run evcs -- dxp export|exports|backfill …   (supervision exports to S3: infra/cli/dxp.ts)
 *   npm run evcs -- piles credentials|reset|unlock|availability|trigger --equipment-id ID …   (infra/cli/piles.ts)
 *   npm run evcs -- coupons issue|list --partner ID …   (coupons of a partner's users: infra/cli/coupons.ts)
 *
 * It talks to the running local platform (npm start) when one is running, else to AWS with the
 * ambient credentials and the resource names in the environment.
 */
import '../local/process-env.ts';
import { parseArgs } from 'node:util';
import { setLogSink } from '#powertools';
import { config } from '../../shared/config.ts';
import { roamingOf } from '../../shared/domain/partners.ts';
import { type RateLimit, RateLimitSchema } from '../../shared/domain/rate-limit.ts';
import { type Dispute, isDay } from '../../shared/domain/reconcile.ts';
import { StationImportError } from '../../shared/domain/station-records.ts';
import { listDlq, replayDlq } from '../../shared/push/dlq.ts';
import { onboardPartner, rotateInbound } from '../../shared/services/onboarding.ts';
import { reconcilePartnerDay } from '../../shared/services/reconcile.ts';
import { syncPartnerCatalog } from '../../shared/services/roaming-catalog.ts';
import { importStationsFile } from '../../shared/services/station-import.ts';
import { getPartner, listPartners } from '../../shared/store/partners.ts';
import { listDay } from '../../shared/store/reconcile.ts';
import type { SecretSet } from '../../shared/tcec/crypto.ts';
import { readProfileSpecs } from '../topology/oem.ts';
import { connect } from './connect.ts';
import { COUPONS_USAGE, couponsCommand } from './coupons.ts';
import { DXP_USAGE, dxpCommand } from './dxp.ts';
import { traceCommand, usageCommand } from './ops.ts';
import { PILES_USAGE, pilesCommand } from './piles.ts';

const USAGE = `usage:
  npm run evcs -- partners list
  npm run evcs -- partners add --operator-id ID --name NAME [--dialect cec2016|xiaoju] [--profile cec2016|xiaoju|didi|oem-example|NAME [--profiles-file FILE]] [--stations '*'|ST1,ST2] [--kind supervision --profile beijing|chengdu|provincial --area-codes 11,5101]
                               [--query-charge-info] [--no-reconcile] [--reconcile-at HH:mm]
                               [--rps N --burst N (request budget, default 20/s, burst 40)] [--roaming in|out|in,out (default in)]
                               [--base-url URL --outbound-operator-secret S
                                --outbound-data-secret S --outbound-data-secret-iv S --outbound-sig-secret S]
  npm run evcs -- partners rotate --operator-id ID [--grace-seconds N]
  npm run evcs -- stations import FILE       (seed/station JSON, or CSV with one row per connector)
  npm run evcs -- roaming sync --partner ID [--full]   (pull a roam-out partner's stations now, print counts)
  npm run evcs -- dlq list|replay [--queue NAME (default push-deliveries)] [--max N] [--message-id ID]
  npm run evcs -- reconcile run --partner ID --date YYYY-MM-DD
  npm run evcs -- reconcile show --date YYYY-MM-DD [--partner ID] [--json]
  npm run evcs -- trace ID [--aws [--days N] [--log-group-prefix P[,P…]]]   (ID: StartChargeSeq, ConnectorID, OperatorID, trace id)
  npm run evcs -- usage [--days 7] [--partner ID] [--aws [--log-group-prefix P[,P…]]]
${PILES_USAGE}
${DXP_USAGE}
${COUPONS_USAGE}
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

/** `--rps` / `--burst`: either alone takes the other from the default budget's ratio (burst = 2 × rps). */
const rateLimitOption = (rps?: string, burst?: string): RateLimit => {
  const r = rps ? Number(rps) : Number(burst) / 2;
  const parsed = RateLimitSchema.safeParse({ rps: r, burst: burst ? Number(burst) : Math.max(1, Math.ceil(2 * r)) });
  if (!parsed.success) throw new Error('--rps must be a positive number and --burst a positive integer');
  return parsed.data;
};

const main = async (): Promise<number> => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      'operator-id': { type: 'string' },
      name: { type: 'string' },
      dialect: { type: 'string', default: 'cec2016' },
      profile: { type: 'string' },
      'profiles-file': { type: 'string' },
      stations: { type: 'string', default: '*' },
      'query-charge-info': { type: 'boolean', default: false },
      'no-reconcile': { type: 'boolean', default: false },
      'reconcile-at': { type: 'string' },
      partner: { type: 'string' },
      date: { type: 'string' },
      json: { type: 'boolean', default: false },
      roaming: { type: 'string', default: 'in' },
      kind: { type: 'string' },
      'area-codes': { type: 'string' },
      'base-url': { type: 'string' },
      'outbound-operator-secret': { type: 'string' },
      'outbound-data-secret': { type: 'string' },
      'outbound-data-secret-iv': { type: 'string' },
      'outbound-sig-secret': { type: 'string' },
      'grace-seconds': { type: 'string' },
      rps: { type: 'string' },
      burst: { type: 'string' },
      queue: { type: 'string', default: 'push-deliveries' },
      max: { type: 'string' },
      'message-id': { type: 'string' },
      aws: { type: 'boolean', default: false },
      days: { type: 'string' },
      'log-group-prefix': { type: 'string' },
      'equipment-id': { type: 'string' },
      rotate: { type: 'boolean', default: false },
      type: { type: 'string' },
      connector: { type: 'string' },
      message: { type: 'string' },
      full: { type: 'boolean', default: false },
      period: { type: 'string' },
      get: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      user: { type: 'string' },
      value: { type: 'string' },
      cap: { type: 'string' },
      'valid-from': { type: 'string' },
      'valid-until': { type: 'string' },
      'coupon-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [group, verb] = positionals;
  if (values.help || !group) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  // read from the data dir (or CloudWatch): no running platform needed
  if (group === 'trace' || group === 'usage') {
    const a = {
      aws: values.aws,
      ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
      ...(values.days ? { days: values.days } : {}),
      ...(values.partner ? { partner: values.partner } : {}),
      ...(values['log-group-prefix'] ? { logGroupPrefix: values['log-group-prefix'] } : {}),
    };
    return group === 'trace' ? traceCommand(verb, a) : usageCommand(a);
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
        `${p.operatorId}  ${p.status.padEnd(9)} ${(p.profile ?? p.dialect).padEnd(11)} ${stations.padEnd(14)} ${p.outbound?.baseUrl ?? '-'}  ${p.name}  roaming ${roams}`,
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
      // a custom profile's specs travel in the partner record; validated by onboarding (an error names the field)
      ...(values.profile ? { profile: values.profile } : {}),
      ...(values['profiles-file'] ? { profiles: readProfileSpecs(values['profiles-file']) } : {}),
      stations:
        values.stations === '*'
          ? '*'
          : values.stations
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
      features: {
        queryChargeInfo: values['query-charge-info'],
        ...(values['no-reconcile'] ? { reconcile: false } : {}),
        ...(values['reconcile-at'] ? { reconcileAt: values['reconcile-at'] } : {}),
      },
      ...(o.rps || o.burst ? { rateLimit: rateLimitOption(o.rps, o.burst) } : {}),
      roaming: parseRoaming(values.roaming),
      // validated with the rest of the record (PartnerSchema): a wrong kind is refused before anything is written
      ...(values.kind ? { kind: values.kind as 'supervision' } : {}),
      ...(values['area-codes'] ? { areaCodes: values['area-codes'].split(',').map((s) => s.trim()) } : {}),
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
      const sum = await importStationsFile(file, { operatorId: config().OPERATOR_ID, registerChargePoints: true });
      console.log(
        `${file}: ${sum.stations} station(s) imported into ${where.target} — ${sum.created} new, ${sum.changed} changed, ${sum.unchanged} unchanged ` +
          `(${sum.equipmentChanged} equipment, ${sum.connectorsChanged} connector(s), ${sum.policiesChanged} price polic(ies) changed)`,
      );
      console.log(`OCPP registry: ${sum.chargePointsRegistered ?? 0} charge point(s) registered (new or with changed connectors)`);
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

  if (group === 'reconcile' && (verb === 'run' || verb === 'show')) return reconcile(verb, values, where.target);
  if (group === 'dxp') {
    const code = await dxpCommand(
      verb,
      { partner: values.partner, period: values.period, date: values.date, get: values.get, from: values.from, to: values.to },
      (line) => console.log(line),
    );
    if (code !== 2) return code;
  }
  if (group === 'piles') {
    const code = await pilesCommand(
      verb,
      {
        ...(values['equipment-id'] ? { equipmentId: values['equipment-id'] } : {}),
        rotate: values.rotate,
        ...(values.type ? { type: values.type } : {}),
        ...(values.connector ? { connector: values.connector } : {}),
        ...(values.message ? { message: values.message } : {}),
        local: where.target === 'local',
      },
      (line) => console.log(line),
    );
    if (code !== 2) return code;
  }

  if (group === 'coupons') {
    const code = await couponsCommand(
      verb,
      {
        partner: values.partner,
        user: values.user,
        kind: values.kind,
        value: values.value,
        cap: values.cap,
        validFrom: values['valid-from'],
        validUntil: values['valid-until'],
        // --stations defaults to '*' for partners add; a coupon without it applies everywhere
        stations: values.stations === '*' ? undefined : values.stations,
        couponId: values['coupon-id'],
        json: values.json,
      },
      (line) => console.log(line),
    );
    if (code !== 2) return code;
  }

  console.error(USAGE);
  return 2;
};

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** `reconcile run|show` (issue 11); log records go to stderr, stdout carries the answer */
const reconcile = async (
  verb: 'run' | 'show',
  values: { partner?: string | undefined; date?: string | undefined; json?: boolean | undefined },
  target: string,
): Promise<number> => {
  setLogSink((line) => process.stderr.write(`${line}\n`));
  const day = values.date;
  if (!day || !DAY_RE.test(day) || !isDay(day)) {
    console.error('--date YYYY-MM-DD (a China-time day) is required');
    return 2;
  }
  if (verb === 'show') {
    const { runs, disputes } = await listDay(day, values.partner);
    if (values.json) {
      console.log(JSON.stringify({ day, runs, disputes }, null, 2));
      return 0;
    }
    for (const r of runs) {
      console.log(
        `${r.OperatorID}  ${day}  ${r.status.padEnd(10)} orders ${r.orderCount}  disputes ${r.disputeCount}  attempts ${r.attempts}  ${r.trigger}  ${r.updatedAt}${r.reason ? `  (${r.reason})` : ''}`,
      );
      for (const d of disputes.filter((x) => x.OperatorID === r.OperatorID)) console.log(`  ${disputeLine(d)}`);
    }
    if (!runs.length) console.log(`(no reconciliation runs for ${day} in ${target})`);
    return 0;
  }
  const partner = values.partner;
  if (!partner) {
    console.error('--partner OperatorID is required');
    return 2;
  }
  const { run, unreachable, disputes } = await reconcilePartnerDay(partner, day, 'manual');
  console.log(`reconcile ${partner} ${day} (${target}): ${run.status}${run.reason ? ` — ${run.reason}` : ''}`);
  for (const q of run.requests) {
    console.log(
      `  request ${q.CheckOrderSeq}  OrderCount ${q.OrderCount}  TotalOrderPower ${q.TotalOrderPower}  TotalOrderMoney ${q.TotalOrderMoney}` +
        `  → ${q.failed ? `failed: ${q.failed}` : `Ret ${q.ret}, TotalDisputeOrder ${q.TotalDisputeOrder ?? 0}`}${q.problems.length ? `; ${q.problems.join('; ')}` : ''}`,
    );
  }
  for (const d of disputes) console.log(`  ${disputeLine(d)}`);
  if (unreachable !== undefined) {
    console.error(`partner ${partner} unreachable: ${unreachable}`);
    return 1;
  }
  return run.status === 'agreed' || run.status === 'disputed' ? 0 : 3;
};

const REASONS: Record<number, string> = { 1: 'not found', 2: 'amount', 3: 'energy' };
const figures = (f?: { TotalPower: number; TotalMoney: number }) => (f ? `${f.TotalPower} kWh ${f.TotalMoney} yuan` : '—');
const disputeLine = (d: Dispute): string =>
  `${d.StartChargeSeq}  reason ${d.reason} (${REASONS[d.reason] ?? 'custom'})  ours ${figures(d.ours)}  theirs ${figures(d.theirs)}`;

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
