/**
 * The profile layer's overhead per request (msp, shared/tcec/profiles.ts): what writing an answer
 * or a push through a partner's profile costs on top of the dialect's `toWire`, and what reading a
 * request through it costs on top of `fromWire`, for the interfaces a profile changes most (the
 * DiDi station page, the OEM order push) and for a profile that changes nothing (cec2016).
 * Pure CPU, no I/O: per request this is the whole msp cost (Lambda GB-s at the function's memory;
 * no extra DynamoDB, SQS or EventBridge request — the profile travels in the partner record).
 *
 * Rates are per second of this process's CPU time (codec.bench.ts style), each loop in several
 * interleaved rounds keeping its best. Asserts nothing.
 *
 *   npx tsx bench/profiles.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { fromWire, toWire } from '../shared/tcec/dialect.ts';
import type { Direction, InterfaceName } from '../shared/tcec/interfaces.ts';
import { loadProfiles, profileFromWire, profileToWire } from '../shared/tcec/profiles.ts';
import { SESSION } from '../test/fixtures/profiles/session.ts';

const ROUNDS = 7;
const ROUND_MS = 150;
const CTX = { ourOperatorId: 'MA5GS8X01', partnerOperatorId: 'MA03ABCD4' };

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const rate = (fn: () => void): number => {
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0;
    const t0 = cpuMs();
    let t = t0;
    while (t - t0 < ROUND_MS) {
      for (let i = 0; i < 50; i++) fn();
      n += 50;
      t = cpuMs();
    }
    best = Math.max(best, (n * 1000) / (t - t0));
  }
  return best;
};

const stationPage = (n: number) => {
  const page = SESSION['query_stations_info.response'] as { StationInfos: Record<string, unknown>[] };
  const one = page.StationInfos[0] as Record<string, unknown>;
  return {
    ...page,
    ItemSize: n,
    StationInfos: Array.from({ length: n }, (_, i) => ({ ...one, StationID: `FX${String(i).padStart(4, '0')}` })),
  };
};

export function main() {
  const profiles = loadProfiles({
    acme: {
      extends: 'didi',
      rename: { query_start_charge: { ConnectorID: 'GunID' } },
      add: { query_start_charge: { Brand: { const: 'ACME' } } },
    },
  });
  const p = (name: string) => profiles.get(name) as NonNullable<ReturnType<typeof profiles.get>>;
  const cases: { what: string; profile: string; iface: InterfaceName; dir: Direction; data: unknown }[] = [
    { what: 'station page (10 stations)', profile: 'didi', iface: 'query_stations_info', dir: 'response', data: stationPage(10) },
    { what: 'station page (10 stations)', profile: 'cec2016', iface: 'query_stations_info', dir: 'response', data: stationPage(10) },
    {
      what: 'order push (2 periods)',
      profile: 'oem-example',
      iface: 'notification_charge_order_info',
      dir: 'request',
      data: SESSION['notification_charge_order_info.request'],
    },
    { what: 'start answer', profile: 'acme', iface: 'query_start_charge', dir: 'response', data: SESSION['query_start_charge.response'] },
  ];
  const rows = cases.map((c) => {
    const dialect = p(c.profile).dialect;
    const base = rate(() => toWire(c.iface, c.dir, c.data, dialect));
    const prof = rate(() => profileToWire(p(c.profile), c.iface, c.dir, c.data, CTX));
    return {
      'out (write)': `${c.what} · ${c.profile}`,
      'toWire ops/s': Math.round(base),
      'profile ops/s': Math.round(prof),
      'µs added / call': ((1 / prof - 1 / base) * 1e6).toFixed(1),
    };
  });
  const request = { StartChargeSeq: 'MA03ABCD4202611300800000001', GunID: 'FX0001E01C1' };
  const canonical = { StartChargeSeq: 'MA03ABCD4202611300800000001', ConnectorID: 'FX0001E01C1' };
  const inBase = rate(() => fromWire('query_start_charge', 'request', canonical));
  const inProf = rate(() => profileFromWire(p('acme'), 'query_start_charge', 'request', request));
  rows.push({
    'out (write)': 'IN: start request (renamed field) · acme',
    'toWire ops/s': Math.round(inBase),
    'profile ops/s': Math.round(inProf),
    'µs added / call': ((1 / inProf - 1 / inBase) * 1e6).toFixed(1),
  });
  console.log(
    `profile layer overhead (node ${process.version}, ops per CPU-second, best of ${ROUNDS} rounds; IN row: fromWire vs profileFromWire)`,
  );
  console.table(rows);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main();
}
