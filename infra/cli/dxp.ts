/**
 * `npm run evcs -- dxp …`: supervision exports (issue 13).
 *
 *   dxp export  --partner ID --period YYYY-MM-DDTHH|YYYY-MM-DD   (export now; prints the manifest's objects)
 *   dxp exports --partner ID --date YYYY-MM-DD                   (every object of the day, with counts and hashes)
 *   dxp exports --get KEY                                        (print one object)
 *   dxp backfill --partner ID --from YYYY-MM-DD --to YYYY-MM-DD  (daily exports of a range)
 */
import { setLogSink } from '#powertools';
import { type Manifest, parsePeriod } from '../../shared/domain/dxp-export.ts';
import { backfill, exportOne, periodOf, supervisionPartner } from '../../shared/services/dxp-runs.ts';
import { getObject, listObjects } from '../../shared/store/objects.ts';

export const DXP_USAGE = `  npm run evcs -- dxp export --partner ID --period YYYY-MM-DDTHH|YYYY-MM-DD   (supervision export now)
  npm run evcs -- dxp exports --partner ID --date YYYY-MM-DD | --get KEY      (objects with counts and hashes; one object)
  npm run evcs -- dxp backfill --partner ID --from YYYY-MM-DD --to YYYY-MM-DD`;

export interface DxpOptions {
  partner?: string | undefined;
  period?: string | undefined;
  date?: string | undefined;
  get?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

const manifestLines = (m: Manifest): string[] => [
  `${m.partner} ${m.period} revision ${m.revision} generated ${m.generatedAt} code ${m.codeVersion}${m.reason ? ` — ${m.reason}` : ''}`,
  ...m.objects.map(
    (o) => `  ${o.kind.padEnd(8)} ${String(o.count).padStart(9)} lines ${String(o.bytes).padStart(11)} bytes  sha256 ${o.sha256}  ${o.key}`,
  ),
  ...m.corrections.map((o) => `  correction of ${o.period} ${o.kind} ${o.count} lines ${o.bytes} bytes  sha256 ${o.sha256}  ${o.key}`),
];

/** exit code: 0 done, 1 failed, 2 usage */
export const dxpCommand = async (verb: string | undefined, o: DxpOptions, print: (line: string) => void): Promise<number> => {
  setLogSink((line) => process.stderr.write(`${line}\n`));
  if (verb === 'exports' && o.get) {
    const bytes = await getObject('exports', o.get);
    if (!bytes) {
      print(`no object ${o.get}`);
      return 1;
    }
    process.stdout.write(Buffer.from(bytes));
    return 0;
  }
  if (!o.partner) return 2;
  if (verb === 'export' && o.period) {
    const partner = await supervisionPartner(o.partner);
    const r = await exportOne(partner, periodOf(o.period), new Date());
    print(`export ${r.outcome}`);
    for (const l of manifestLines(r.manifest)) print(l);
    return 0;
  }
  if (verb === 'exports' && o.date) {
    const day = parsePeriod(o.date);
    if (day?.granularity !== 'day') return 2;
    const objects = await listObjects('exports', `dxp/${o.partner}/${o.date}/`);
    const manifests = objects.filter((x) => x.key.endsWith('/manifest.json'));
    for (const m of manifests) {
      const bytes = await getObject('exports', m.key);
      if (bytes) for (const l of manifestLines(JSON.parse(Buffer.from(bytes).toString('utf8')) as Manifest)) print(l);
    }
    const referenced = manifests.length;
    print(`${objects.length} object(s), ${referenced} manifest(s) under dxp/${o.partner}/${o.date}/`);
    return 0;
  }
  if (verb === 'backfill' && o.from && o.to) {
    const partner = await supervisionPartner(o.partner);
    for (const r of await backfill(partner, o.from, o.to, new Date())) {
      print(`export ${r.outcome}`);
      for (const l of manifestLines(r.manifest)) print(l);
    }
    return 0;
  }
  return 2;
};
