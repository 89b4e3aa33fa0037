/**
 * The console's sessions view (shared/services/admin-views.ts), a page at a time and never a scan:
 * live sessions from byPartner's OPEN partition (the open orders' LOCK# items), newest first;
 * finished ones partner by partner from byPartner, newest first. Paging through with a small page
 * returns every session exactly once; a cursor that is not ours is a 400. Orders are written with
 * the order store, as the charging service writes them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { sessionsView } from '../../shared/services/admin-views.ts';
import { createOrder } from '../../shared/store/orders.ts';
import { aroundDynamoSends } from '../support/dynamo-sends.ts';
import { P1, P2 } from '../support/push.ts';
import { finishedOrder } from '../support/reconcile.ts';
import { startStationsPlatform } from '../support/stations.ts';

const KEY = 'console-sessions-test-key';
const NOW = new Date();
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

let platform: Platform;
const open: string[] = [];
const finished: Record<string, string[]> = { [P1]: [], [P2]: [] };

beforeAll(async () => {
  platform = await startStationsPlatform({ adminApiKey: KEY });
  // five open orders, the newest last
  for (let i = 0; i < 5; i++) {
    const seq = `${P1}${String(NOW.getTime()).slice(-10)}OPEN${String(i).padStart(4, '0')}`;
    const r = await createOrder(
      { StartChargeSeq: seq, ConnectorID: `FX0002E01C${i}`, StationID: 'FX0002', EquipmentID: 'FX0002E01', OperatorID: P1, tariff: [] },
      minutesAgo(50 - i),
    );
    expect(r.outcome).toBe('created');
    open.unshift(seq);
  }
  // finished in the last days: three of P1's, two of P2's, each list written oldest first
  for (const [partner, n] of [
    [P1, 3],
    [P2, 2],
  ] as const) {
    for (let i = 0; i < n; i++) {
      const end = minutesAgo(24 * 60 * (n - i));
      finished[partner]!.unshift(await finishedOrder(partner, new Date(end.getTime() - 3_600_000).toISOString(), end.toISOString(), 5, 6));
    }
  }
});
afterAll(async () => {
  await platform?.stop();
});

/** every page of one list, following `next` */
const pages = async (list: 'live' | 'finished', limit: number) => {
  const out: string[][] = [];
  let cursor: string | undefined;
  do {
    const v = await sessionsView(7, { limit, ...(cursor ? { [list]: cursor } : {}) }, NOW);
    out.push((v[list] ?? []).map((s) => s.StartChargeSeq));
    cursor = v.next[list];
  } while (cursor && out.length < 20);
  return out;
};

describe('sessions view', () => {
  it('pages through the live sessions newest first, each once, with Queries and BatchGets only (no Scan)', async () => {
    const commands: string[] = [];
    const stop = aroundDynamoSends((name, input, send) => {
      commands.push(`${name} ${String(input.TableName ?? Object.keys((input.RequestItems as object | undefined) ?? {})[0])}`);
      return send();
    });
    try {
      const live = await pages('live', 2);
      expect(live.flat()).toEqual(open);
      expect(live.slice(0, 3).map((p) => p.length)).toEqual([2, 2, 1]);
      // the orders table is read by Query and BatchGet only (the partners table, a handful of items, is scanned)
      const onOrders = commands.filter((c) => c.endsWith('orders'));
      expect(onOrders.some((c) => c.startsWith('QueryCommand'))).toBe(true);
      expect(onOrders.filter((c) => !/^(QueryCommand|BatchGetItemCommand) /.test(c))).toEqual([]);
    } finally {
      stop();
    }
  });

  it('pages through the finished sessions partner by partner, newest first, each once, with their bills', async () => {
    const all = (await pages('finished', 2)).flat();
    expect(all).toEqual([...finished[P1]!, ...finished[P2]!]);
    const first = await sessionsView(7, { limit: 1 }, NOW);
    expect(first.finished?.[0]).toMatchObject({ StartChargeSeq: finished[P1]![0], OperatorID: P1, bill: { TotalMoney: 6, TotalPower: 5 } });
    expect(first.live?.[0]).toMatchObject({ StartChargeSeq: open[0], status: 1 });
  });

  it('over HTTP: a page of each list with where the next ones start; a foreign cursor, two cursors or a bad limit is a 400', async () => {
    const get = (q: string) => fetch(`${platform.apiUrl}/admin/v1/sessions?${q}`, { headers: { authorization: `Bearer ${KEY}` } });
    const res = await get('limit=2');
    expect(res.status).toBe(200);
    const v = (await res.json()) as { live: unknown[]; finished: unknown[]; next: { live?: string; finished?: string } };
    expect([v.live.length, v.finished.length]).toEqual([2, 2]);
    expect(v.next.live && v.next.finished).toBeTruthy();
    const more = (await (await get(`limit=2&live=${v.next.live}`)).json()) as {
      live: Array<{ StartChargeSeq: string }>;
      finished?: unknown;
    };
    expect(more.live.map((s) => s.StartChargeSeq)).toEqual(open.slice(2, 4));
    expect(more.finished).toBeUndefined();
    for (const q of [
      'live=not-a-cursor',
      `live=${Buffer.from('{"p":1}').toString('base64url')}`,
      'live=a&finished=b',
      'limit=0',
      'limit=501',
    ]) {
      expect((await get(q)).status, q).toBe(400);
    }
  });
});
