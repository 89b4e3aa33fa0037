/**
 * The event and queue contracts build their schemas on first use (issue 9 §4): importing the
 * catalogs builds no contract's detail, envelope or queue body; using one builds that one, once.
 * Their samples are checked here, where `defineEvent` used to parse each at every import (at every
 * cold start of every function).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import type { EventContract, QueueContract } from '../../../events/define.ts';

const EVENTS_DIR = join(import.meta.dirname, '../../../events');

const zodCalls = vi.hoisted(() => [] as string[]);

// every schema-building function of zod/mini, counted (the catalogs import `* as z`)
vi.mock('zod/mini', async (importOriginal) => {
  const { countingZod } = await import('../../support/zod-calls.ts');
  return countingZod(await importOriginal<Record<string, unknown>>(), zodCalls);
});

const isContract = (v: unknown): v is EventContract =>
  typeof v === 'object' && v !== null && 'detailType' in v && 'sample' in v && 'pattern' in v;
const isQueue = (v: unknown): v is QueueContract => typeof v === 'object' && v !== null && 'decl' in v && 'parse' in v;

/** every module of events/, as a fresh process imports them */
async function freshCatalogs(): Promise<Record<string, unknown>[]> {
  vi.resetModules();
  const mods: Record<string, unknown>[] = [];
  for (const file of readdirSync(EVENTS_DIR).filter((f) => f.endsWith('.ts')))
    mods.push((await import(join(EVENTS_DIR, file))) as Record<string, unknown>);
  return mods;
}

const meta = { version: '0', id: 'e1', account: '000000000000', time: '2026-11-23T09:30:47Z', region: 'cn-north-1', resources: [] };

describe('event and queue contracts', () => {
  beforeEach(() => {
    zodCalls.length = 0;
  });

  it('every sample parses against its detail and its full envelope', async () => {
    const contracts = (await freshCatalogs()).flatMap((m) => Object.values(m).filter(isContract));
    expect(contracts.length).toBeGreaterThanOrEqual(15);
    for (const c of contracts) {
      expect(z.safeParse(c.detail, c.sample).error, `${c.detailType} sample`).toBeUndefined();
      const envelope = { ...meta, source: c.source, 'detail-type': c.detailType, detail: c.sample };
      expect(z.safeParse(c.envelope, envelope).error, `${c.detailType} envelope`).toBeUndefined();
    }
  });

  it('importing the catalogs builds no contract schema; using one builds it once', async () => {
    const mods = await freshCatalogs();
    const atImport = zodCalls.length;
    const contracts = mods.flatMap((m) => Object.values(m).filter(isContract));
    const queues = mods.flatMap((m) => Object.values(m).filter(isQueue));
    expect(queues.length).toBeGreaterThanOrEqual(10);
    // what is left at import: a few shared field schemas (events/piles.ts), not the ~700 builders of the contracts
    expect(atImport).toBeLessThan(40);

    const finished = contracts.find((c) => c.detailType === 'OrderFinished');
    if (!finished) throw new Error('OrderFinished not found');
    const detail = finished.detail;
    const built = zodCalls.length;
    expect(built).toBeGreaterThan(atImport); // built on this first use
    expect(zodCalls.slice(atImport)).toContain('object');
    expect(finished.detail).toBe(detail); // and only then: the same object, nothing built again
    expect(zodCalls.length).toBe(built);

    const envelope = finished.envelope;
    expect(finished.envelope).toBe(envelope);
    const withEnvelope = zodCalls.length;

    // a queue's body likewise: built on first use, once
    const timeouts = queues.find((q) => q.name === 'charging-timeouts');
    if (!timeouts) throw new Error('charging-timeouts not found');
    const body = timeouts.body;
    expect(zodCalls.length).toBeGreaterThan(withEnvelope);
    expect(timeouts.body).toBe(body);
    const withBody = zodCalls.length;
    expect(timeouts.parse(JSON.stringify({ kind: 'start', StartChargeSeq: 'S1' }))).toEqual({ kind: 'start', StartChargeSeq: 'S1' });
    expect(zodCalls.length).toBe(withBody);
  });

  it('an event queue parses and refuses as before: its union of envelopes is built on the first message', async () => {
    const mods = await freshCatalogs();
    const queues = mods.flatMap((m) => Object.values(m).filter(isQueue));
    const contracts = mods.flatMap((m) => Object.values(m).filter(isContract));
    const parking = queues.find((q) => q.name === 'parking-waivers');
    const finished = contracts.find((c) => c.detailType === 'OrderFinished');
    if (!parking || !finished) throw new Error('parking-waivers / OrderFinished not found');
    const good = { ...meta, source: finished.source, 'detail-type': 'OrderFinished', detail: finished.sample };
    expect(parking.parse(JSON.stringify(good))).toEqual(good);
    expect(() => parking.parse(JSON.stringify({ ...good, detail: { ...(finished.sample as object), StartChargeSeq: '' } }))).toThrow(
      /malformed event/,
    );
    expect(() => parking.parse(JSON.stringify({ ...good, 'detail-type': 'OrderPaid' }))).toThrow(/unexpected detail-type/);
  });
});
