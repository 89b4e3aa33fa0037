/**
 * Throughput of bill() — `npx tsx bench/billing.bench.ts`.
 * A 10-hour session, one sample every 15 s (2,400 samples, ~11 kW with jitter), starting 16:07:30
 * local time so it crosses several boundaries and midnight, on a 3-period and an 8-period tariff.
 * Prints bills/s and µs per bill; also the cost of the 2-dp edge objects (toOrderTotals).
 */
import { pathToFileURL } from 'node:url';
import { bill, type MeterSample, toOrderTotals } from '../shared/domain/billing.ts';
import { EIGHT, PEAK_VALLEY } from '../test/fixtures/tariffs.ts';

export const makeSession = (count = 2_400, stepMs = 15_000): MeterSample[] => {
  const t0 = Date.parse('2024-03-15T16:07:30+08:00');
  const out: MeterSample[] = [];
  let e = 1_234_567; // meter start value
  let seed = 42;
  for (let i = 0; i < count; i++) {
    out.push({ at: new Date(t0 + i * stepMs), energyWh: e });
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    e += 40 + (seed % 11); // ≈ 46 Wh per 15 s ≈ 11 kW
  }
  return out;
};

const measure = (label: string, fn: () => unknown, minMs = 1_000): { opsPerSec: number; usPerOp: number } => {
  for (let i = 0; i < 2_000; i++) fn(); // warm-up (let the JIT settle)
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  while (elapsedNs < BigInt(minMs) * 1_000_000n) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    elapsedNs = process.hrtime.bigint() - start;
  }
  const secs = Number(elapsedNs) / 1e9;
  const r = { opsPerSec: n / secs, usPerOp: (secs * 1e6) / n };
  console.log(
    `${label.padEnd(44)} ${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(10)} /s ${r.usPerOp.toFixed(1).padStart(9)} µs`,
  );
  return r;
};

export function main(): Record<string, { opsPerSec: number; usPerOp: number }> {
  const samples = makeSession();
  const results: Record<string, { opsPerSec: number; usPerOp: number }> = {};
  console.log(`bill(): ${samples.length} samples, 10 h session from 2024-03-15 16:07:30 (UTC+8)`);
  for (const [name, tariff] of [
    ['3-period', PEAK_VALLEY],
    ['8-period', EIGHT],
  ] as const) {
    const b = bill(samples, tariff);
    console.log(`  ${name}: ${b.details.length} details, ${b.energyWh} Wh, ${b.totalFen} fen`);
    results[`bill ${name}`] = measure(`bill() ${name} tariff`, () => bill(samples, tariff));
    results[`bill+edge ${name}`] = measure(`bill() + toOrderTotals() ${name} tariff`, () => toOrderTotals(bill(samples, tariff)));
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
