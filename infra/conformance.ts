/**
 * docs/conformance.md, rendered from what the code declares — the interface catalog
 * (shared/tcec/interfaces.ts), the topology (routes served, interfaces called) and the tests that
 * name each interface — so the document cannot drift: test/unit/conformance-doc.test.ts fails
 * when the committed file differs from this rendering (`npm run docs` rewrites it).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { INTERFACES, type InterfaceDecl, type InterfaceName } from '../shared/tcec/interfaces.ts';
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
    return `| \`${name}\`${d.extension ? ' (extension)' : ''} | §${d.section} | ${d.implementedBy === 'cpo' ? 'us' : d.implementedBy === 'partner' ? 'partner' : 'both'} | ${status} | ${needed ? `cec2016, xiaoju${DIALECT_NOTES[name] ? `; ${DIALECT_NOTES[name]}` : ''}` : '—'} | ${tests.length ? tests.map((t) => `\`${t}\``).join('<br>') : '—'} |`;
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

- \`query_charge_info\` (not in the 2016 standard, reference §3.14): the order detail by
  \`StartChargeSeq\` — the fields of \`notification_charge_order_info\` plus \`StartChargeSeqStat\`.
  Enabled per partner (\`features.queryChargeInfo\` in the seed / \`partners add --query-charge-info\`);
  a partner without it gets Ret 4004.
`;
};

const testsList = (root: string, fragment: string): string => {
  const hits = walk(join(root, 'test'))
    .filter((f) => f.includes(fragment))
    .map((f) => `\`${relative(root, f)}\``)
    .sort();
  return hits.length ? hits.join('<br>') : '—';
};
