/**
 * The operator's tools on a running local platform: a full session's trace (`evcs trace <seq>`)
 * from the data dir is complete and in order across functions — charge status pushes and the
 * night's reconciliation verdict included — and the usage report
 * (`evcs usage`) counts a scripted set of calls exactly, from the EMF records the gateway emits.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { traceCommand, usageCommand } from '../../infra/cli/ops.ts';
import { LOG_FILE, METRICS_FILE } from '../../infra/local/ops-files.ts';
import { parseJsonLines, stepOf, traceOf } from '../../infra/ops/trace.ts';
import { dayOfEnd } from '../../shared/domain/reconcile.ts';
import { reconcilePartnerDay } from '../../shared/services/reconcile.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { useChargingPlatform } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';

// the trace reads INFO records (requests, decisions, pushes); the test lane runs the logger at WARN,
// and the logger takes its level once, when it is built: before any import
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
});
const dataDir = mkdtempSync(join(tmpdir(), 'evcs-ops-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const ctx = useChargingPlatform({ dataDir, logLevel: 'INFO' });
const traceSteps = (seq: string) => traceOf(parseJsonLines(readFileSync(join(dataDir, LOG_FILE), 'utf8')), seq).map(stepOf);

describe('evcs trace: a full session, complete and in order', () => {
  it('request in, decision, pile commands and answers, events, pushes with their outcome', async () => {
    const connector = 'FX0001E01C1';
    const partner = ctx.p1.partner.operatorId;
    const seq = await ctx.charging(ctx.p1, connector);
    // the session's charge status reaches the partner while it charges (simulated time moves)
    await ctx.pump(
      async () => traceSteps(seq),
      (s) => s.includes(`push notification_equip_charge_status → ${partner} done`),
      `${seq}: a charge status push in the trace`,
    );
    await ctx.stopped(ctx.p1, seq, connector);
    // the nightly reconciliation of the session's day, run now: its verdict on this order is in the trace
    const order = await getOrder(seq);
    await reconcilePartnerDay(partner, dayOfEnd(new Date(order!.endedAt!)), 'manual');

    // the story: each step with the step it must follow (causally: the same invocation, the bus, or
    // the pile answering only when the test moves its clock); concurrent branches are not ordered
    const steps = await eventually(async () => traceSteps(seq), {
      until: (s) => s.some((x) => x === `push notification_charge_order_info → ${partner} done`),
      what: `the trace of ${seq} up to the order push`,
    });
    const first = (step: string, after = -1): number => steps.findIndex((s, i) => i > after && s === step);
    const expectAfter = (step: string, after: number): number => {
      const i = first(step, after);
      expect(i, `"${step}" after #${after} (${steps[after] ?? 'start'}) in:\n${steps.join('\n')}`).toBeGreaterThan(after);
      return i;
    };
    const command = expectAfter('event PileCommandRequested', -1);
    const sent = expectAfter('start command sent', command);
    const started = expectAfter('query_start_charge → Ret 0', sent);
    expectAfter('pile start', command);
    const sessionStarted = expectAfter('PileSessionStarted received', started);
    const orderStarted = expectAfter('event OrderStarted', sessionStarted);
    expectAfter(`push notification_start_charge_result → ${partner} done`, orderStarted);
    const chargeStatus = expectAfter(`push notification_equip_charge_status → ${partner} done`, orderStarted);
    const stopCommand = expectAfter('event PileCommandRequested', orderStarted);
    const stopped = expectAfter('query_stop_charge → Ret 0', stopCommand);
    expectAfter('pile stop', stopCommand);
    const sessionStopped = expectAfter('PileSessionStopped received', stopped);
    const orderFinished = expectAfter('order finished', sessionStopped);
    const finished = expectAfter('event OrderFinished', sessionStopped);
    expectAfter(`push notification_stop_charge_result → ${partner} done`, finished);
    expectAfter(`push notification_charge_order_info → ${partner} done`, finished);
    expect(chargeStatus).toBeLessThan(finished);
    // the last charge status (the final one, after the stop)
    expectAfter(`push notification_equip_charge_status → ${partner} done`, finished);
    // reconciliation ran once the order had finished (the test ran it then)
    expectAfter('order reconciled', orderFinished);
    const record = traceOf(parseJsonLines(readFileSync(join(dataDir, LOG_FILE), 'utf8')), seq).filter(
      (r) => r.message === 'order reconciled',
    );
    expect(record).toHaveLength(1);
    expect(record[0]).toMatchObject({ StartChargeSeq: seq, OperatorID: partner });
    expect(String(record[0]!.verdict)).toMatch(/^(agreed|disputed: .+)$/);

    // the sessions counted for the dashboards: started (pile confirmed) and finished (billed); locally every function is service "evcs"
    const emf = parseJsonLines(readFileSync(join(dataDir, METRICS_FILE), 'utf8'));
    for (const m of ['SessionStarted', 'SessionFinished']) expect(emf.filter((r) => r[m] === 1).length, m).toBeGreaterThanOrEqual(1);

    // the CLI prints the same story, in time order, each line naming the function it came from
    const lines: string[] = [];
    expect(await traceCommand(seq, { dataDir, aws: false, print: (l) => lines.push(l) })).toBe(0);
    expect(lines.at(-1)).toBe(`${steps.length} record(s) for ${seq}`);
    const times = lines.slice(0, -1).map((l) => l.slice(0, 23));
    expect([...times].sort()).toEqual(times);
    expect(lines.some((l) => /query-start-charge\s+query_start_charge → Ret 0/.test(l))).toBe(true);
    expect(lines.some((l) => / push notification_charge_order_info → \S+ done {2}StartChargeSeq=/.test(l))).toBe(true);
  });

  it('an id nobody logged: nothing found, exit 1', async () => {
    const lines: string[] = [];
    expect(await traceCommand('NOSUCHID', { dataDir, aws: false, print: (l) => lines.push(l) })).toBe(1);
    expect(lines).toEqual(['0 record(s) for NOSUCHID']);
  });
});

describe('evcs usage: calls per interface per partner per day', () => {
  it('counts a scripted set exactly, with the Ret distribution, and names the interfaces nobody called', async () => {
    const p2 = ctx.p2; // logged in once (query_token) by the platform helper, used only here
    const startDay = new Date().toISOString().slice(0, 10);
    for (let i = 0; i < 3; i++) expect((await p2.call('query_station_status', { StationIDs: ['FX0001'] })).ret).toBe(0);
    for (let i = 0; i < 2; i++) expect((await p2.call('query_equip_charge_status', { StartChargeSeq: 'too short' })).ret).not.toBe(0);
    const bad = (await p2.call('query_equip_charge_status', { StartChargeSeq: 'too short' })).ret;

    const run = async () => {
      const lines: string[] = [];
      await usageCommand({ dataDir, aws: false, days: '1', partner: p2.partner.operatorId, print: (l) => lines.push(l) });
      return lines;
    };
    const lines = await eventually(run, {
      until: (l) => l.some((x) => /query_equip_charge_status .* 3 /.test(x)),
      what: 'the scripted calls in the usage report',
    });
    const rows = lines.slice(1, -1).map((l) => l.split(/\s+/));
    // one row per day and interface: calls that straddle midnight (UTC) are two rows, summed here
    const days = new Set([startDay, new Date().toISOString().slice(0, 10)]);
    expect(rows.every((r) => days.has(r[0]!))).toBe(true);
    const summed = new Map<string, number>();
    for (const r of rows)
      summed.set(`${r[1]} ${r[2]} ${r[4]!.split(':')[0]}`, (summed.get(`${r[1]} ${r[2]} ${r[4]!.split(':')[0]}`) ?? 0) + Number(r[3]));
    expect(Object.fromEntries(summed)).toEqual({
      [`query_equip_charge_status ${p2.partner.operatorId} ${bad}`]: 3,
      [`query_station_status ${p2.partner.operatorId} 0`]: 3,
      [`query_token ${p2.partner.operatorId} 0`]: 1,
    });
    const unused = lines.at(-1)!;
    expect(unused).toMatch(/^not called: /);
    expect(unused).toContain('query_start_charge');
    expect(unused).not.toContain('query_station_status');
  });
});
