/**
 * Issue 12, "Tests that must exist": two local platforms A and B, each the other's partner both
 * ways, through the app API. A's users charge on B's piles while B's users charge on A's piles:
 *   A finds B's stations (synced), starts on B's connector, sees it charging with energy rising
 *   (B's pushes), stops it, receives B's order and its own billing function confirms it
 *   (ConfirmResult 0) — and the mirror image on A's piles, at the same time;
 *   B's nightly check_charge_orders to A → 0 disputes;
 *   a bill that disagrees → ConfirmResult 1 and a stored dispute.
 * B runs its piles at 60× real time; A's piles move only when the test pumps its manual clock.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callPartner, syncPartnerCatalog } from '../../shared/services/roaming-catalog.ts';
import { getConnectorView } from '../../shared/store/connector-view.ts';
import { getPartner } from '../../shared/store/partners.ts';
import { getRoamingOrder } from '../../shared/store/roaming.ts';
import { eventually } from '../support/eventually.ts';
import { callAs, tokenFor } from '../support/platform.ts';
import { startTwoWayPair, type TwoWayPair } from '../support/roaming.ts';

const A = 'MA01H3BQ2';
const B = 'MA5GS8X01';
const root = fileURLToPath(new URL('../..', import.meta.url));

let pair: TwoWayPair;
beforeAll(async () => {
  pair = await startTwoWayPair();
}, 600_000);
afterAll(async () => pair?.stop());

type Session = { id: string; state: string; energyKwh: number; source: string; bill?: { confirmResult: number } };

const appCall = async <T = Session>(base: string, key: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${base}/app/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
};
const appA = <T = Session>(method: string, path: string, body?: unknown) => appCall<T>(pair.a.apiUrl, pair.a.appApiKey, method, path, body);
const appB = <T = Session>(method: string, path: string, body?: unknown) => appCall<T>(pair.bUrl, pair.bAppKey, method, path, body);

/** POST /sessions as an app does: again after a 502 (the partner did not answer; nothing was started) */
const startAsApp = (app: typeof appA, body: Record<string, string>) =>
  eventually(() => app('POST', '/sessions', body), { until: (r) => r.status !== 502, what: 'a start the partner answers' });

/** DELETE /sessions/{id} as an app does: again after a 502 (the partner did not answer the stop) */
const stopAsApp = (app: typeof appA, id: string) =>
  eventually(() => app('DELETE', `/sessions/${id}?userId=${app === appA ? 'a-user' : 'b-user'}`), {
    until: (r) => r.status !== 502,
    what: 'a stop the partner answers',
  });

const partnerB = () => pair.asA(async () => (await getPartner(B, { fresh: true }))!);

let aSession = ''; // A's user on B's pile
let bSession = ''; // B's user on A's pile

describe('two platforms, each the other’s partner both ways', () => {
  it('A’s user on B’s pile and B’s user on A’s pile, at the same time: charging, stopped, both bills confirmed', async () => {
    // A's catalog of B (the hourly schedule's work, done now)
    const synced = await pair.asA(async () => syncPartnerCatalog(await partnerB(), new Date()));
    expect(synced.stations).toBe(4);
    const near = await appA<{ stations: { stationId: string; operatorId: string; own: boolean }[] }>(
      'GET',
      '/stations?lng=121.320345&lat=31.194125&radiusKm=5',
    );
    expect(near.body.stations.map((s) => [s.stationId, s.operatorId])).toEqual(
      expect.arrayContaining([
        ['AX0001', A],
        ['FX0001', B],
      ]),
    );

    // a car at B's pile (B's simulator control) and one at A's (A's simulator)
    const bConn = 'FX0001E01C1';
    const aConn = 'AX0001E01C1';
    const plug = await fetch(`${pair.bUrl}/local/sim/connectors/${bConn}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'plugged', vehicle: { socStart: 10, batteryKwh: 200, targetSoc: 100, maxDcKw: 30 } }),
    });
    expect(plug.status).toBe(200);
    const sim = pair.a.simulator!;
    sim.setVehicle(aConn, { socStart: 10, batteryKwh: 200, maxDcKw: 30, targetSoc: 100 });
    sim.admin(aConn, 'plugged');
    await eventually(() => pair.asA(async () => (await getConnectorView(aConn))?.status), {
      until: (s) => s === 2,
      what: 'A’s pile plugged',
    });
    const p = await partnerB();
    await eventually(
      () =>
        pair.asA(() =>
          callPartner(p, 'query_equip_auth', {
            EquipAuthSeq: `${A}20261123000000${String(Date.now() % 10_000).padStart(4, '0')}`,
            ConnectorID: bConn,
          }),
        ),
      {
        until: (r) => r.SuccStat === 0,
        what: 'B’s pile plugged',
      },
    );

    // both start at once (a 502 says the partner's query_equip_auth went unanswered and nothing was
    // started: the app tries again, as a real one does — on a loaded machine a cold handler can be slow)
    const [sa, sb] = await Promise.all([
      startAsApp(appA, { connectorId: bConn, userId: 'a-user' }),
      startAsApp(appB, { connectorId: aConn, operatorId: A, userId: 'b-user' }),
    ]);
    expect(sa.status).toBe(201);
    expect(sb.status).toBe(201);
    aSession = sa.body.id;
    bSession = sb.body.id;
    expect(aSession.startsWith(A)).toBe(true);
    expect(bSession.startsWith(B)).toBe(true);

    // A's user: B's pushes bring the energy, and it rises
    const first = await eventually(() => appA('GET', `/sessions/${aSession}?userId=a-user`).then((r) => r.body), {
      until: (s) => s.state === 'charging' && s.energyKwh > 0,
      what: 'A’s session charging with energy',
    });
    await eventually(() => appA('GET', `/sessions/${aSession}?userId=a-user`).then((r) => r.body), {
      until: (s) => s.energyKwh > first.energyKwh,
      what: 'A’s session energy rising',
    });
    await eventually(() => pair.asA(() => getRoamingOrder(aSession)), {
      until: (o) => o?.liveSource === 'push',
      what: 'a push from B',
    });

    // B's user: A's piles move when pumped; A's pushes reach B
    await eventually(
      async () => {
        sim.advance(15_000);
        return (await appB('GET', `/sessions/${bSession}?userId=b-user`)).body;
      },
      { until: (s) => s.state === 'charging' && s.energyKwh > 0, what: 'B’s session charging with energy' },
    );

    // both stop
    expect((await stopAsApp(appA, aSession)).status).toBe(200);
    expect((await stopAsApp(appB, bSession)).status).toBe(200);
    const doneA = await eventually(() => appA('GET', `/sessions/${aSession}?userId=a-user`).then((r) => r.body), {
      until: (s) => s.state === 'finished' && s.bill !== undefined,
      what: 'B’s order at A',
      timeoutMs: 120_000,
    });
    expect(doneA.bill?.confirmResult).toBe(0);
    const doneB = await eventually(
      async () => {
        sim.advance(1_000);
        return (await appB('GET', `/sessions/${bSession}?userId=b-user`)).body;
      },
      { until: (s) => s.state === 'finished' && s.bill !== undefined, what: 'A’s order at B', timeoutMs: 120_000 },
    );
    expect(doneB.bill?.confirmResult).toBe(0);
  }, 600_000);

  it('B’s nightly check_charge_orders to A: 0 disputes', async () => {
    // the day of an order is the day of its EndTime, on B's 60× clock: near midnight that is tomorrow
    const order = await pair.asA(() => getRoamingOrder(aSession));
    const day = String((order!.final!.theirs as { EndTime: string }).EndTime).slice(0, 10);
    const { stdout } = await promisify(execFile)(
      join(root, 'node_modules/.bin/tsx'),
      [join(root, 'infra/cli/evcs.ts'), 'reconcile', 'run', '--partner', A, '--date', day, '--data-dir', pair.bDataDir],
      { cwd: root },
    );
    expect(stdout).toMatch(/: agreed/);
    expect(stdout).toMatch(/OrderCount 1 .*TotalDisputeOrder 0/);
  });

  it('a bill that disagrees → ConfirmResult 1 and a stored dispute', async () => {
    const order = await pair.asA(() => getRoamingOrder(aSession));
    const theirs = order!.final!.theirs as Record<string, number | string>;
    const asB = { operatorId: B, inbound: pair.a.seed.partners[0]!.inbound };
    const token = await tokenFor(pair.a.apiUrl, asB);
    const r = await callAs(
      pair.a.apiUrl,
      asB,
      'notification_charge_order_info',
      { ...theirs, TotalMoney: Number(theirs.TotalMoney) + 5 },
      token,
    );
    expect(r.ret).toBe(0);
    expect((r.data as { ConfirmResult: number }).ConfirmResult).toBe(1);
    const stored = await pair.asA(() => getRoamingOrder(aSession));
    expect(stored?.final).toMatchObject({ confirmResult: 1 });
    expect(stored?.final?.disputeReason).toBeDefined();
  });
});
