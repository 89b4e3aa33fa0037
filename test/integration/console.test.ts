/**
 * The operator console end to end (issue 16 item 6): the admin API behind the local bearer key,
 * and every console page rendered with live data in headless Chromium; the DLQ page's Replay button
 * replays a parked push, which the partner then accepts. Screenshots of each page are saved to
 * test-results/console/ (git-ignored).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuild } from '../../infra/local/console.ts';
import type { Platform } from '../../infra/local/platform.ts';
import { DisputeReason, dayOfEnd } from '../../shared/domain/reconcile.ts';
import { deliver } from '../../shared/push/deliver.ts';
import { deliverySchema, newDelivery } from '../../shared/push/messages.ts';
import { onboardPartner } from '../../shared/services/onboarding.ts';
import { createOrder } from '../../shared/store/orders.ts';
import { putDispute } from '../../shared/store/reconcile.ts';
import { formatDateTime } from '../../shared/tcec/time.ts';
import { eventually } from '../support/eventually.ts';
import { acceptedOf, demo, emitStarted, FAST_PUSH_ENV, newSeq, P1 } from '../support/push.ts';
import { finishedOrder } from '../support/reconcile.ts';
import { startStationsPlatform } from '../support/stations.ts';
import { startSupervisionReceiver } from '../support/supervision-receiver.ts';

const SHOTS = join(import.meta.dirname, '../../test-results/console');
const KEY = 'console-test-key';

let platform: Platform;
let browser: Browser;
let page: Page;
let buildDir: string;

beforeAll(async () => {
  buildDir = mkdtempSync(join(tmpdir(), 'evcs-console-'));
  mkdirSync(SHOTS, { recursive: true });
  const [p, b] = await Promise.all([
    ensureConsoleBuild(buildDir).then(() => startStationsPlatform({ env: FAST_PUSH_ENV, adminApiKey: KEY, consoleDir: buildDir })),
    chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] }),
  ]);
  platform = p;
  browser = b;
  // a context of its own (axe-core opens a page beside it to finish its run)
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
});
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

const admin = (path: string, init: RequestInit = {}, key = KEY) =>
  fetch(`${platform.apiUrl}/admin/v1/${path}`, {
    ...init,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
  });

const dlqBodies = () =>
  platform.cloud.queues.peek(platform.cloud.queues.dlqOf('push-deliveries')).map((m) => deliverySchema().parse(JSON.parse(m.body)));

describe('console build', () => {
  it('is built once: a build newer than every source is kept (npm start does not rebuild it)', async () => {
    expect(await ensureConsoleBuild(buildDir)).toBe(false);
  });
});

describe('admin API', () => {
  it('refuses a request without the key or with a wrong one (401), before the function runs', async () => {
    expect((await admin('stations', {}, '')).status).toBe(401);
    expect((await admin('stations', {}, 'wrong')).status).toBe(401);
    expect((await admin('dlq/replay', { method: 'POST', body: '{}' }, 'wrong')).status).toBe(401);
  });

  it('answers bad input with 400 and an unknown view with 404, never a crash', async () => {
    expect((await admin('sessions?days=0')).status).toBe(400);
    expect((await admin('sessions?bogus=1')).status).toBe(400);
    expect((await admin('dlq/replay', { method: 'POST', body: '{"messageId": 5}' })).status).toBe(400);
    expect((await admin('dlq/replay', { method: 'POST', body: 'not json' })).status).toBe(400);
    expect((await admin('nothing')).status).toBe(404);
  });

  it('lists the seed stations with their connectors, and the registered charge points', async () => {
    const { stations } = (await (await admin('stations')).json()) as { stations: Array<{ StationID: string; connectors: unknown[] }> };
    expect(stations.map((s) => s.StationID)).toContain('FX0001');
    expect(stations.every((s) => s.connectors.length > 0)).toBe(true);
    const { chargePoints } = (await (await admin('charge-points')).json()) as { chargePoints: Array<{ chargePointId: string }> };
    expect(chargePoints.length).toBeGreaterThan(0);
    expect((await (await admin('slas')).json()) as unknown).toEqual({ slas: [] });
  });
});

describe('console in Chromium', () => {
  const show = async (path: string, heading: string, shot: string) => {
    await page.goto(`${platform.apiUrl}/console/#/${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
  };

  it('takes the key from the link npm start prints, then shows every page with live data', async () => {
    // a session running, one finished with its bill (written with the order store, as the charging
    // service writes them), and reconciliation's dispute of the finished one's amount
    const now = new Date();
    const liveSeq = newSeq(P1);
    const created = await createOrder(
      { StartChargeSeq: liveSeq, ConnectorID: 'FX0002E01C1', StationID: 'FX0002', EquipmentID: 'FX0002E01', OperatorID: P1, tariff: [] },
      now,
    );
    expect(created.outcome).toBe('created');
    const billedSeq = await finishedOrder(
      P1,
      new Date(now.getTime() - 3_600_000).toISOString(),
      new Date(now.getTime() - 60_000).toISOString(),
      12.5,
      20.4,
    );
    await putDispute(
      {
        OperatorID: P1,
        day: dayOfEnd(now),
        CheckOrderSeq: `${P1}CHK${String(now.getTime()).slice(-10)}`,
        StartChargeSeq: billedSeq,
        reason: DisputeReason.Money,
        ours: { TotalPower: 12.5, TotalMoney: 20.4 },
        theirs: { TotalPower: 12.5, TotalMoney: 22 },
      },
      now,
    );

    await page.goto(`${platform.apiUrl}/console/#key=${KEY}`);
    await page.getByRole('heading', { level: 1, name: 'Stations' }).waitFor();
    expect(page.url()).not.toContain(KEY);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await page.getByRole('rowheader', { name: 'FX0001' }).waitFor();
    await expect(page.getByRole('img', { name: /Station map/ }).count()).resolves.toBe(1);
    await page.screenshot({ path: join(SHOTS, 'stations.png'), fullPage: true });

    await show('sessions', 'Sessions', 'sessions');
    const live = page.getByRole('table', { name: 'Live sessions' });
    await live
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: liveSeq }) })
      .filter({ hasText: 'starting' })
      .waitFor();
    const finished = page.getByRole('table', { name: /^Finished sessions/ });
    await finished
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: billedSeq }) })
      .filter({ hasText: '¥20.40 (electricity ¥12.24, service ¥8.16)' })
      .waitFor();
    await show('partners', 'Partners: push health', 'partners');
    await page.getByRole('rowheader', { name: P1 }).waitFor();
    await show('disputes', 'Disputes', 'disputes');
    await page
      .getByRole('table', { name: /^Orders disputed by reconciliation/ })
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: billedSeq }) })
      .filter({ hasText: 'amount' })
      .filter({ hasText: '12.5 kWh ¥20.40' })
      .filter({ hasText: '12.5 kWh ¥22.00' })
      .waitFor();
    await show('slas', 'Supervision SLAs', 'slas');
    await page.getByText('No timed supervision push was delivered in these days.').waitFor();
    await show('charge-points', 'Charge points', 'charge-points');
    await page.getByRole('table', { name: /OCPP 1\.6J charge points: \d+ of \d+ connected/ }).waitFor();
  });

  // issue 16: an accessible console — axe-core's WCAG 2 A/AA rules on every page, with its live data
  it('every page passes axe-core’s WCAG 2 A and AA rules: no serious or critical violation', async () => {
    const pages: [string, string][] = [
      ['stations', 'Stations'],
      ['sessions', 'Sessions'],
      ['partners', 'Partners: push health'],
      ['dlq', 'DLQ: parked pushes'],
      ['disputes', 'Disputes'],
      ['slas', 'Supervision SLAs'],
      ['charge-points', 'Charge points'],
    ];
    const found: string[] = [];
    for (const [path, heading] of pages) {
      await show(path, heading, `a11y-${path}`);
      const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
      expect(r.passes.length, `${path}: axe ran its rules`).toBeGreaterThan(0);
      for (const v of r.violations)
        if (v.impact === 'serious' || v.impact === 'critical')
          found.push(`${path}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }
    expect(found).toEqual([]);
  });

  it('the DLQ page lists a parked push with its reason; Replay (keyboard) sends it back and the partner accepts it', async () => {
    const d1 = demo(platform, P1);
    d1.set({ ret: 4004, msg: 'StartChargeSeq 未知' });
    const seq = newSeq(P1);
    await emitStarted(P1, seq, 'FX0003E01C1');
    await eventually(async () => dlqBodies().find((m) => m.id.includes(seq)), { timeoutMs: 30_000, what: 'the parked push in the DLQ' });
    d1.set({});

    await show('partners', 'Partners: push health', 'partners-parked');
    await page.getByRole('row').filter({ hasText: P1 }).filter({ hasText: 'StartChargeSeq 未知' }).waitFor();

    await show('dlq', 'DLQ: parked pushes', 'dlq');
    const row = page.getByRole('row').filter({ hasText: seq });
    await row.getByRole('cell', { name: /StartChargeSeq 未知/ }).waitFor();
    const button = row.getByRole('button', { name: /^Replay push / });
    await button.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'replayed.' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'dlq-replayed.png'), fullPage: true });

    await eventually(async () => acceptedOf(d1, 'notification_start_charge_result', seq).length === 1 || undefined, {
      timeoutMs: 30_000,
      what: 'the replayed push accepted by the partner',
    });
    expect(dlqBodies().find((m) => m.id.includes(seq))).toBeUndefined();
  });

  it('a supervision platform answers after its deadline: the SLAs page shows the breached row', async () => {
    const hex = () => randomBytes(8).toString('hex');
    const secrets = { operatorSecret: hex(), dataSecret: hex(), dataSecretIV: hex(), sigSecret: hex() };
    const receiver = await startSupervisionReceiver(secrets, platform.seed.operatorId);
    const GOV = 'GOVBJ0016';
    const START = 'notification_start_charge_result';
    try {
      // a region without seed stations: the platform's own pushes never reach it, only this test's
      await onboardPartner({
        operatorId: GOV,
        name: 'Beijing e充网',
        kind: 'supervision',
        profile: 'beijing',
        areaCodes: ['65'],
        outbound: { baseUrl: `${receiver.origin}/`, ...secrets },
      });
      /** a start result whose SLA timer began at eventAt, delivered (Ret 0) at `answeredAt` on an injected clock */
      const pushAt = async (eventAt: number, answeredAt: number) => {
        const seq = newSeq(P1);
        const m = newDelivery({
          id: `${START}:${GOV}:${seq}`,
          partner: GOV,
          iface: START,
          data: { StartChargeSeq: seq, StartChargeSeqStat: 2, ConnectorID: 'FX0002E01C1', StartTime: formatDateTime(new Date(eventAt)) },
          createdAt: eventAt,
          supervision: { resend: [150], sla: { eventAt, deadlineSeconds: 50 } },
        });
        expect(await deliver(m, answeredAt)).toMatchObject({ action: 'done', note: 'delivered' });
        expect(receiver.of(START, seq)).toHaveLength(1);
      };
      const t = Date.now();
      await pushAt(t, t + 5_000); // in time (Beijing: the start result within 50 s)
      await pushAt(t, t + 80_000); // 30 s late

      const { slas } = (await (await admin('slas')).json()) as { slas: Array<Record<string, unknown>> };
      const mine = slas.filter((x) => x.OperatorID === GOV);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ interface: START, name: 'Beijing e充网', deadlineSeconds: 50, pushes: 2, late: 1, breached: true });
      expect(mine[0]!.lastLateByMs).toBeGreaterThanOrEqual(30_000);
      expect(mine[0]!.lastLatencyMs).toBeGreaterThanOrEqual(80_000);
      expect(mine[0]!.meanLatencyMs).toBeGreaterThanOrEqual(42_500);

      await show('slas', 'Supervision SLAs', 'slas-breached');
      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: `Beijing e充网 (${GOV})` }) });
      await row
        .filter({ hasText: START })
        .filter({ hasText: /breached: 1 of 2 late/ })
        .waitFor();
      await page.screenshot({ path: join(SHOTS, 'slas-breached.png'), fullPage: true });
    } finally {
      await receiver.close();
    }
  });
});
