/**
 * A pile that never answers (T/CEC 102 §3.7, §3.10): the start times out and the order ends with a
 * reason, uncharged, the connector released; a stop sent before the start was confirmed is
 * accepted (StartChargeSeqStat 3) and the order still ends. The rule depends on time, so this
 * platform runs with 2-second start/stop timeouts (the production default is 60 s); the piles
 * are silent (admin `silent`), so nothing but the timeout can end these orders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { getConnectorView } from '../../shared/store/connector-view.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { seqOf } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { simAdmin, startTestPlatform } from '../support/platform.ts';
import { type Caller, loggedIn, STATIONS_SEED } from '../support/stations.ts';

const TIMEOUT_SECONDS = 2;
let platform: Platform;
let p1: Caller;

const admin = (connectorId: string, state: string) => simAdmin(platform.apiUrl, connectorId, state);

beforeAll(async () => {
  platform = await startTestPlatform({
    seedFile: STATIONS_SEED,
    // a manual clock never advanced: the simulated piles do nothing on their own
    simulator: { manualClock: true, offlineRatePerHour: 0, faultRatePerHour: 0, seed: 7, autoUnplug: false },
    env: { START_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS), STOP_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) },
  });
  p1 = await loggedIn(platform, 0);
  // the piles announced themselves: a start is decided on the connector's known status
  await Promise.all(
    ['FX0003E02C1', 'FX0002E01C2'].map((c) =>
      eventually(async () => (await getConnectorView(c))?.status, { until: (s) => s === 1, what: `${c} idle` }),
    ),
  );
});
afterAll(async () => platform?.stop());

const finished = (seq: string) =>
  eventually(() => getOrder(seq), { until: (o) => o?.status === 4, timeoutMs: 30_000, what: `order ${seq} finished` });

describe('query_start_charge — §3.7 a silent pile', () => {
  it('the start times out: the order finishes uncharged with the reason, and the connector is released', async () => {
    const connector = 'FX0003E02C1';
    await admin(connector, 'silent');
    const seq = seqOf(p1);
    const r = await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector });
    expect(r.data).toMatchObject({ SuccStat: 0, StartChargeSeqStat: 1 });

    const order = await finished(seq);
    expect(order!.finishReason).toBe(`pile did not answer the start within ${TIMEOUT_SECONDS} s`);
    expect(order!.charged).toBe(false);
    expect(order!.bill?.TotalMoney).toBe(0);
    const status = await p1.call('query_equip_charge_status', { StartChargeSeq: seq });
    expect(status.data).toMatchObject({ StartChargeSeqStat: 4, TotalPower: 0, TotalMoney: 0 });

    await admin(connector, 'normal');
    const next = await p1.call('query_start_charge', { StartChargeSeq: seqOf(p1), ConnectorID: connector });
    expect(next.data).toMatchObject({ SuccStat: 0, FailReason: 0 });
  });
});

describe('query_stop_charge — §3.10 a stop before the start is confirmed', () => {
  it('is accepted (StartChargeSeqStat 3) and the order still ends, stopped by the partner', async () => {
    const connector = 'FX0002E01C2';
    await admin(connector, 'silent');
    const seq = seqOf(p1);
    expect((await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector })).data).toMatchObject({
      SuccStat: 0,
      StartChargeSeqStat: 1,
    });
    const stop = await p1.call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: connector });
    expect(stop.data).toMatchObject({ SuccStat: 0, FailReason: 0, StartChargeSeqStat: 3 });
    const order = await finished(seq);
    expect(order!.stoppedByPartner).toBe(true);
    expect(order!.finishReason).toMatch(/did not (answer|confirm)/);
    await admin(connector, 'normal');
  });
});
