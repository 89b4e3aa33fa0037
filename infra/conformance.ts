/**
 * docs/conformance.md, rendered from what the code declares — the interface catalog
 * (shared/tcec/interfaces.ts), the topology (routes served, interfaces called) and the tests that
 * name each interface — so the document cannot drift: test/unit/conformance-doc.test.ts fails
 * when the committed file differs from this rendering (`npm run docs` rewrites it).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { INTERFACES, type InterfaceDecl, type InterfaceName } from '../shared/tcec/interfaces.ts';
import { loadProfiles, type ProfileSpec } from '../shared/tcec/profiles.ts';
import { functions, TCEC_BASE_PATH } from './topology/index.ts';

const DIALECT_NOTES: Partial<Record<InterfaceName, string>> = {
  query_station_status: 'xiaoju: `Total` as a string',
  query_equip_business_policy: 'xiaoju: `ServicePrice`',
  query_equip_charge_status: 'xiaoju: `ElectMoney`, `ServiceMoney`, `DetailServiceMoney`/`ServicePrice`',
  notification_equip_charge_status: 'xiaoju: `ElecMoney`, `ServiceMoney`',
  notification_charge_order_info: 'xiaoju: `TotalServiceMoney`, `DetailServiceMoney`, `ServicePrice`',
  query_charge_info: 'xiaoju: `TotalServiceMoney`, `DetailServiceMoney`, `ServicePrice`',
  query_stations_info: 'cec2016 and xiaoju both `BusineHours`',
};

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });

const testsNaming = (root: string, name: string): string[] => {
  const kebab = name.replace(/_/g, '-');
  const files = walk(join(root, 'test'));
  return files
    .filter((f) => {
      const base = basename(f);
      if (base.startsWith(`${kebab}.`) || base.startsWith(`${kebab}-`)) return true;
      const src = readFileSync(f, 'utf8');
      return src.includes(`describe('${name} `) || src.includes(`describe('${name}'`) || src.includes(`describe("${name}`);
    })
    .map((f) => relative(root, f))
    .sort();
};

export const renderConformance = (root: string): string => {
  const served = new Set(
    functions.flatMap((f) =>
      f.triggers.flatMap((t) =>
        t.type === 'http' && t.path.startsWith(`${TCEC_BASE_PATH}/`) ? [t.path.slice(TCEC_BASE_PATH.length + 1)] : [],
      ),
    ),
  );
  const called = new Set(functions.flatMap((f) => f.calls ?? []));
  const rows = (Object.keys(INTERFACES) as InterfaceName[]).map((name) => {
    const d: InterfaceDecl = INTERFACES[name];
    const weServe = served.has(name);
    const weCall = called.has(name);
    const needed = d.implementedBy === 'cpo' ? weServe : d.implementedBy === 'partner' ? weCall : weServe && weCall;
    const status = needed
      ? d.implementedBy === 'partner'
        ? weServe
          ? 'pushed (we call it); served (customer side, roaming out)'
          : 'pushed (we call it)'
        : d.implementedBy === 'both'
          ? 'served and called'
          : 'served'
      : weServe || weCall
        ? 'partial'
        : 'not yet';
    const tests = testsNaming(root, name);
    return `| \`${name}\`${d.extension ? (d.ours ? ' (extension, ours)' : ' (extension)') : ''} | §${d.section} | ${d.implementedBy === 'cpo' ? 'us' : d.implementedBy === 'partner' ? 'partner' : 'both'} | ${status} | ${needed ? `cec2016, xiaoju${DIALECT_NOTES[name] ? `; ${DIALECT_NOTES[name]}` : ''}` : '—'} | ${tests.length ? tests.map((t) => `\`${t}\``).join('<br>') : '—'} |`;
  });
  return `# T/CEC 102 conformance

Generated from the code by \`npm run docs\` (interface catalog \`shared/tcec/interfaces.ts\`, the
topology in \`infra/topology/\`, and the tests that name each interface); \`npm test\` fails when this
file is stale. Sections refer to the protocol reference (\`../shared/reference/tcec102.md\`).

- **implemented by**: who serves the interface in the protocol — \`us\` (the CPO: partners call
  \`POST ${TCEC_BASE_PATH}/<interface>\`), \`partner\` (we call the partner's endpoint), \`both\`.
- **status**: \`served\` — routed and handled here; \`pushed\` — we call it on partners; \`served (customer side)\` —
  a partner calls it on us about OUR users' sessions on ITS piles (roaming out, README "Roaming"); \`not yet\` — not built.
- **dialects**: every implemented interface reads both spellings and writes the partner's dialect
  exactly: \`cec2016\` (the standard's \`SevicePrice\`/\`SeviceMoney\`/\`BusineHours\`) or \`xiaoju\`
  (DiDi 1.4.0).

| interface | § | implemented by | status | dialects | tests |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

## Envelope, crypto and errors (reference §1–§2)

| rule | tests |
| --- | --- |
| AES-128-CBC / PKCS#7 on UTF-8 bytes / single-line Base64; HMAC-MD5 Sig upper-case, lower case accepted; golden vectors | ${testsList(root, 'crypto-golden-vectors')} |
| property tests: decode(encode(x)) = x; any changed character of Data, TimeStamp, Seq or Sig → 4001 | ${testsList(root, 'codec.fuzz')} |
| request pipeline: 4003 envelope, 4001 Sig, 4002 token, TimeStamp window, 4003 decrypt, 4004 Data, signed 500 | ${testsList(root, 'gateway-pipeline')} |

## Extensions

Every interface marked *extension* is behind the **profile switch** (msp): it is served only to a
partner whose profile lists it in \`extensions\` (a built-in profile such as \`didi\`, or a seed's
\`profiles.<name>.extensions\`); any other partner gets Ret 4004 \`<interface> is not enabled for
OperatorID …\` before its Data is read. *extension, ours* marks an interface with no public contract
(reference §5.5), designed here in the T/CEC style: \`query_*\` we serve, \`notification_*\` we push,
27-character sequences prefixed by the partner's OperatorID, SuccStat/FailReason, both dialects.

- \`query_reserve_connector\`, \`query_cancel_reservation\` (ours; reservation 预约充电, README
  "Extension services"): a partner holds an idle connector for \`ReserveMinutes\` (at most the
  station's \`ReservationPolicy.MaxMinutes\`); the connector shows Status 4 (the pile reports it:
  OCPP \`ReserveNow\`, the simulator likewise) and only that partner can start on it; it lapses at
  \`ExpireTime\` or is cancelled. FailReason: 1 unknown connector, 2 the station takes no
  reservations, 3 beyond the station's limit, 4 busy, 5 already reserved, 6 offline or faulted,
  7 (a repeat of the ReserveSeq) the charger refused it. A start by another partner on a reserved
  connector: FailReason 3 (busy). The partner is answered before the charger is asked; a charger
  that answers OCPP \`ReserveNow\` other than Accepted, or not within the call timeout, has the
  reservation withdrawn (\`ReserveStat\` 5, the connector free again, no fee; a timed-out one is
  also cancelled on the charger): the next \`query_reserve_connector\` of that ReserveSeq answers
  FailReason 7, \`query_cancel_reservation\` FailReason 2 with ReserveStat 5. ReserveStat: 1 active,
  2 used by a session, 3 cancelled, 4 expired, 5 refused by the charger. What a reservation bills
  (one rule, \`shared/domain/billing.ts\`): used by its start, \`ReserveFee\` as a line of that order;
  expired unused (a no-show), \`ReserveFee\` + the policy's \`NoShowFee\` — the reserve answer says
  it in advance (\`NoShowMoney\`), the scheduled expiry (every 5 minutes) settles it once as
  ReserveStat 4 and \`query_cancel_reservation\` then answers it (FailReason 2, ReserveStat 4,
  \`NoShowMoney\`); cancelled before it lapses, or refused by the charger: nothing.
- \`query_start_charge_prepay\` (ours; prepay 预支付): \`query_start_charge\` + \`PrepayMoney\` (yuan,
  > 0, ≤ 5000, 2 dp). The session stops itself at the first meter reading whose running bill reaches
  the prepayment, with **StopReason 7** (custom; §3.12 leaves 5–99 to the operator): "the prepaid
  amount was reached, the platform stopped the session". The bill is capped at the prepayment,
  running and final: what was metered between that reading and the pile's stop is in \`TotalPower\`
  and \`DetailPower\` but its money is waived off the last \`ChargeDetails\` lines (their
  \`DetailSeviceMoney\` first, latest line first; electricity only if the whole service fee is not
  enough), so \`TotalMoney\` ≤ \`PrepayMoney\` and Σ ChargeDetails = the totals still hold; those lines
  then carry less than DetailPower × price. The final order adds \`PrepayMoney\`, \`ConsumedMoney\`
  (= TotalMoney) and \`RefundMoney\` (= PrepayMoney − ConsumedMoney).
- \`query_order_settlement\`, \`query_order_pay\`, \`notification_order_settlement\` (ours; pay after
  charging 充电后支付): an order started while the partner's profile enables it is payable to us
  once finished (\`SettleStatus\` 0 running, 1 payable, 2 paid), pushed when payable and when paid.
- \`query_start_charge_coupon\` (ours; coupons 卡券): \`query_start_charge\` + \`CouponID\` and the
  holder's \`PhoneNum\` or \`UserID\`; the discount comes off the service fee (ChargeDetails and the
  totals show it, the order adds \`CouponID\`, \`DiscountMoney\`). FailReason 10 unknown or another
  user's, 11 not valid now or here, 12 used. A coupon is used at most once; a start that takes
  nothing off (refused, timed out, no service fee billed) gives it back, usable again.
- \`query_invoice_apply\`, \`query_invoice_info\`, \`notification_invoice_info\` (ours; invoices 开票):
  an invoice over finished orders of the partner, issued as a PDF, pushed with its download link.
- \`query_ground_locks\`, \`query_ground_lock_auth\`, \`query_drop_lock\`, \`query_drop_lock_result\`
  (DiDi 1.4.0 ground locks 地锁, reference §5.1; on by default in the \`didi\` profile; README "Ground
  locks and parking"): a station's \`ParkingSpaces\` (LockNum, WorkplaceName, the ConnectorID each
  locks) behind its \`CarParkGatewayUrl\`. DiDi's field names are kept (\`groundLocks\`, \`LocksAuth\`,
  \`result\`); what DiDi leaves unsaid is ours: \`query_drop_lock\` answers a one-time \`DropCode\`
  (6 digits) and a \`FailReason\` (1 unknown lock, 2 another partner's order, reservation or drop holds
  it, 3 lock fault, 4 connector offline or faulted, 5 the car park's system unreachable);
  \`query_drop_lock_result\` takes that \`DropCode\` (a spent or wrong one: Ret 4004) and answers \`DropInfo\` and \`LockStatus\` (0 unknown
  or faulted, 10 dropped, 50 raised). The lock rises once the connector is available again (the car
  left); its code is then spent. The car park's system unreachable or timing out: \`query_drop_lock\`
  answers FailReason **5** and nothing of the lock changes (no code, same state); the caller's
  \`query_drop_lock_result\` then answers FailReason 5 and a \`DropInfo\` saying so until the lock
  records a new state. A raise the car park fails is retried with backoff, then parked in the
  \`parking-waivers\` DLQ (alarm) for \`npm run evcs -- dlq replay --queue parking-waivers\`.
- \`query_parking_station\`, \`query_parking_free_info\`, \`modify_parking_fee_wave_car_number\`,
  \`query_parking_free_wave\` (DiDi 1.4.0 parking 停车费减免, reference §5.1; on in \`didi\`): the
  station's \`ParkingPolicy\` (\`WaiverType\` 1 per session, 2 per kWh; \`Duration\` the cap in
  minutes); an order's waiver (\`Duration\` earned, \`CarNumber\`, \`WaiverStatus\` 0 none, 1 waiting
  for the plate, 2 sending to the gate, 3 applied); the plate (a Chinese vehicle plate, else Ret
  4004); \`query_parking_free_wave\` sends a waiting waiver to the gate now. Another partner's
  \`StartChargeSeq\` is Ret 4004, as an unknown one.
- \`query_charge_info\` (not in the 2016 standard, reference §3.14): the order detail by
  \`StartChargeSeq\` — the fields of \`notification_charge_order_info\` plus \`StartChargeSeqStat\`.
  Enabled per partner (\`features.queryChargeInfo\` in the seed / \`partners add --query-charge-info\`)
  or by the profile; a partner without it gets Ret 4004.

## Reconciliation (reference §3.13, §5.3)

- We call \`check_charge_orders\` on every active partner with an outbound endpoint once a night, at
  \`RECONCILE_AT\` China time (default 01:00, within 00:00–03:00; per partner \`features.reconcileAt\`),
  for the previous China-time day;
  \`features.reconcile: false\` in the seed (or \`partners add --no-reconcile\`) opts a partner out.
- **The day of an order is the China-time (UTC+8) day of its EndTime**: a session from 23:50 to
  00:20 belongs to the day that begins at that midnight. \`StartTime\`/\`EndTime\` of the request are
  \`D 00:00:00\` and \`D 23:59:59\`; only charged, finished orders are listed.
- A day is split into requests of at most \`RECONCILE_MAX_ORDERS_PER_REQUEST\` (default 500) orders,
  each with its own \`CheckOrderSeq\` (27 characters: our OperatorID, yyMMddHHmmss, 6 digits) and
  totals that describe that request. A day without orders is one request with \`OrderCount\` 0.
- \`DisputeOrders\` are stored per (partner, day, order) with both sides' figures; reason 1 (not
  found) re-pushes \`notification_charge_order_info\`. An answer with a wrong Sig, Ret ≠ 0 or a
  malformed list makes a failed run; a \`CheckOrderSeq\` that does not echo ours or disputes of
  orders we did not send make a suspicious one. Neither marks any order as agreed.

${renderProfiles()}
${renderSupervision()}`;
};

const code = (v: unknown): string => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

/** What one profile changes, one line per interface, read from the profile data itself. */
const profileChanges = (spec: ProfileSpec): string[] => {
  const byIface = new Map<string, string[]>();
  const add = (key: string, text: string) => byIface.set(key, [...(byIface.get(key) ?? []), text]);
  for (const [k, f] of Object.entries(spec.rename ?? {})) for (const [path, to] of Object.entries(f)) add(k, `${code(path)} → ${code(to)}`);
  for (const [k, paths] of Object.entries(spec.omit ?? {})) for (const path of paths) add(k, `omits ${code(path)}`);
  for (const [k, f] of Object.entries(spec.add ?? {}))
    for (const [path, v] of Object.entries(f)) add(k, `adds ${code(path)} = ${'const' in v ? code(v.const) : `${code(v.fn)}()`}`);
  for (const [k, f] of Object.entries(spec.map ?? {}))
    for (const [path, values] of Object.entries(f))
      add(
        k,
        `maps ${code(path)} ${Object.entries(values)
          .map(([a, b]) => `${a} → ${String(b)}`)
          .join(', ')}`,
      );
  return [...byIface].map(([k, changes]) => `  - \`${k}\`: ${changes.join('; ')}`);
};

/** The profiles section: generated from the built-in profiles' data (shared/tcec/profiles.ts). */
const renderProfiles = (): string => {
  const lines = [
    '## Partner profiles (msp)',
    '',
    'Generated from the profile data (`shared/tcec/profiles.ts`): each profile extends a dialect, is',
    'served at a prefix (a call under another prefix → HTTP 404 with a signed Ret 4003), pushes under a',
    'layout, and changes fields per interface — applied only at the edges, around the same core.',
    'Requests are read leniently (the profile spelling and the canonical one); answers and pushes are',
    'written exactly. A seed may define more under `"profiles"`; `partners add --profile NAME` selects one.',
    '',
  ];
  for (const [name, p] of loadProfiles()) {
    if (p.supervision) continue; // listed under Supervision platforms
    const push = p.push.tokenPath || p.push.notificationsAt || p.push.version;
    lines.push(`### \`${name}\``, '', p.spec.description ?? '', '');
    lines.push(`- extends \`${p.spec.extends}\` (dialect \`${p.dialect}\`), served at \`${p.servedAt}\``);
    lines.push(
      push
        ? `- pushes: token at \`<origin>/${p.push.tokenPath ?? '<base>/query_token'}\`, notifications ${p.push.notificationsAt === 'root' ? 'at the root of the base URL' : 'under the base URL'}${p.push.version ? `, version segment \`${p.push.version}\`` : ''}`
        : "- pushes: every interface under the partner's base URL",
    );
    const changes = profileChanges(p.spec);
    lines.push(changes.length ? '- field changes:' : '- field changes: none beyond the dialect', ...changes);
    if (p.extensions.size) lines.push(`- extensions: ${[...p.extensions].map((e) => `\`${e}\``).join(', ')}`);
    lines.push('');
  }
  return lines.join('\n');
};

const testsList = (root: string, fragment: string): string => {
  const hits = walk(join(root, 'test'))
    .filter((f) => f.includes(fragment))
    .map((f) => `\`${relative(root, f)}\``)
    .sort();
  return hits.length ? hits.join('<br>') : '—';
};

/** The supervision section (issue 13): each supervision profile's interfaces, timings and fields, from its data. */
const renderSupervision = (): string => {
  const lines = [
    '## Supervision platforms (reference §5.3, §1.8, §3.12–§3.13)',
    '',
    'Government supervision platforms are partners of `"kind": "supervision"` naming one of these',
    'profiles (`shared/tcec/profiles.ts`, data validated at load). A platform receives the pushes of',
    'every station whose AreaCode starts with one of its prefixes (`areaCodes` on the partner, else the',
    "profile's), on its own queue (`push-supervision`, consumer `push-deliver-supervision`), resent on the",
    "profile's schedule and then parked in the DLQ with an alarm; a push with a deadline records event →",
    'delivered (Ret 0) as `SupervisionPushLatency` per platform and interface and alarms on a breach',
    '(`SupervisionSlaBreached`). The nightly `check_charge_orders` covers every order of its region.',
    '',
  ];
  for (const [name, p] of loadProfiles()) {
    const sup = p.supervision;
    if (!sup) continue;
    lines.push(`### \`${name}\``, '', p.spec.description ?? '', '');
    lines.push('| interface | § | deadline |', '| --- | --- | --- |');
    for (const i of sup.interfaces) {
      const d = sup.deadlines[i];
      lines.push(`| \`${sup.names?.[i] ?? i}\` | §${INTERFACES[i].section} | ${d ? `${d} s after the event` : '—'} |`);
    }
    lines.push('');
    lines.push(`- resend after a failure: ${sup.resendSeconds.join(', ')} s, then the DLQ`);
    for (const [i, rets] of Object.entries(sup.finalRets))
      lines.push(`- \`${i}\` answered with Ret ${(rets ?? []).join(', ')}: final (delivered with that Ret, not resent)`);
    if (sup.statusIntervalSeconds) lines.push(`- \`notification_equip_charge_status\` every ${sup.statusIntervalSeconds} s while charging`);
    if (sup.check) lines.push(`- \`check_charge_orders\` between ${sup.check.from} and ${sup.check.to} China time, for the previous day`);
    if (sup.queryAnswerMs) lines.push(`- our answers to its queries within ${sup.queryAnswerMs} ms`);
    if (sup.areaCodes) lines.push(`- default region: AreaCode prefixes ${sup.areaCodes.map((a) => `\`${a}\``).join(', ')}`);
    lines.push(`- interfaces at \`<origin>/${sup.basePath ?? '<base URL>'}/<interface>\``);
    const changes = profileChanges(p.spec);
    lines.push(changes.length ? '- field changes:' : '- field changes: none beyond the dialect', ...changes);
    lines.push('');
  }
  return lines.join('\n');
};
