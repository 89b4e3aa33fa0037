/**
 * Push planning (shared/services/push-planning.ts) against a mocked document client: the partner
 * list is read once per PARTNERS_CACHE_MS, status changes fan out to granted pushable partners,
 * every charge-status progress event is pushed (the throttle is upstream, in the charging service).
 */

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorStatusChanged } from '../../../events/baseinfo.ts';
import { type EventContract, QueueMessageError } from '../../../events/define.ts';
import { OrderProgress } from '../../../events/orders.ts';
import { PushEventsQueue } from '../../../events/queues.ts';
import { resetConfig } from '../../../shared/config.ts';
import { PARTNERS_CACHE_MS, planProgress, planPushes, resetPushPlanning } from '../../../shared/services/push-planning.ts';
import { ScanCommand } from '../../../shared/store/doc.ts';
import { stubDocumentClient } from '../../support/doc-stub.ts';

const ddb = stubDocumentClient();

/** the event as the push-events queue's contract hands it to the planner */
const envelope = (c: EventContract, detail: unknown) => PushEventsQueue.parse(JSON.stringify(raw(c, detail)));
const raw = (c: EventContract, detail: unknown) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': c.detailType,
  source: c.source,
  account: '000000000000',
  time: '2026-11-23T01:30:47Z',
  region: 'cn-north-1',
  resources: [],
  detail,
});

const partner = (operatorId: string, over: Record<string, unknown> = {}) => ({
  operatorId,
  name: operatorId,
  dialect: 'cec2016',
  stations: '*',
  status: 'active',
  features: { queryChargeInfo: false },
  outbound: { baseUrl: `https://${operatorId}.example/evcs/v1/` },
  ...over,
});

beforeAll(() => {
  process.env.TABLE_PARTNERS = 'partners-test';
  process.env.TABLE_PUSH_STATE = 'push-state-test';
  resetConfig();
});
afterAll(() => {
  ddb.restore();
  delete process.env.TABLE_PARTNERS;
  delete process.env.TABLE_PUSH_STATE;
  resetConfig();
});
beforeEach(() => {
  ddb.reset();
  resetPushPlanning();
});

describe('ConnectorStatusChanged → notification_stationStatus', () => {
  const status = envelope(ConnectorStatusChanged, ConnectorStatusChanged.sample);

  beforeEach(() => {
    ddb.on(ScanCommand).resolves({
      Items: [
        partner('MA0000001'),
        partner('MA0000002', { stations: ['OTHER'] }),
        partner('MA0000003', { status: 'suspended' }),
        partner('MA0000004', { outbound: undefined }),
        partner('MA0000005', { stations: [ConnectorStatusChanged.sample.StationID] }),
      ],
    });
  });

  it('one push per partner granted the station that can receive pushes, gated by the connector version', async () => {
    const ds = await planPushes(status, 0);
    expect(ds.map((d) => d.partner)).toEqual(['MA0000001', 'MA0000005']);
    expect(ds[0]).toMatchObject({
      iface: 'notification_stationStatus',
      gate: { key: `CONNECTOR#${ConnectorStatusChanged.sample.ConnectorID}`, version: ConnectorStatusChanged.sample.version },
    });
  });

  it('the partner list is read once per PARTNERS_CACHE_MS', async () => {
    await planPushes(status, 0);
    await planPushes(status, PARTNERS_CACHE_MS);
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(1);
    await planPushes(status, PARTNERS_CACHE_MS + 1);
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(2);
    resetPushPlanning();
    await planPushes(status, PARTNERS_CACHE_MS + 2);
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(3);
  });
});

describe('OrderProgress → notification_equip_charge_status (the charging service publishes only the due ones)', () => {
  const progress = (over: Record<string, unknown> = {}) => envelope(OrderProgress, { ...OrderProgress.sample, ...over });

  // the partner list (cached, one Scan per PARTNERS_CACHE_MS) says whether a supervision platform also gets it (issue 13)
  const onlyTheCachedPartnerScan = () => expect(ddb.calls().map((c) => c.args[0].constructor.name)).toEqual(['ScanCommand']);

  it('each progress event of a charging order gives one push, gated by its sample time, and costs no write', async () => {
    ddb.on(ScanCommand).resolves({ Items: [] });
    const [d] = await planPushes(progress(), 0);
    expect(d).toMatchObject({
      iface: 'notification_equip_charge_status',
      partner: OrderProgress.sample.OperatorID,
      gate: { key: `ORDER#${OrderProgress.sample.StartChargeSeq}` },
    });
    expect(await planPushes(progress(), 0)).toHaveLength(1);
    onlyTheCachedPartnerScan();
  });

  it("an order of our own app's user (OperatorID ours: the app API on our own pile) is pushed to nobody", async () => {
    ddb.on(ScanCommand).resolves({ Items: [] });
    process.env.OPERATOR_ID = OrderProgress.sample.OperatorID;
    resetConfig();
    try {
      expect(await planPushes(progress(), 0)).toEqual([]);
    } finally {
      delete process.env.OPERATOR_ID;
      resetConfig();
    }
  });

  it('planned by the charging consumer (planProgress): the same deliveries as the planner gives its queue message', async () => {
    ddb.on(ScanCommand).resolves({ Items: [] });
    const detail = { ...OrderProgress.sample, previousAt: 1 };
    const direct = await planProgress(detail, 7);
    expect(direct).toEqual(await planPushes(progress({ previousAt: 1 }), 7));
    expect(direct).toHaveLength(1);
    // the detail is checked by the queue's contract first: a malformed one plans nothing
    await expect(planProgress({ ...detail, EndTime: 42 } as never, 7)).rejects.toThrow(QueueMessageError);
    onlyTheCachedPartnerScan();
  });

  it('a progress event of an order that is not charging pushes nothing', async () => {
    ddb.on(ScanCommand).resolves({ Items: [] });
    expect(await planPushes(progress({ StartChargeSeqStat: 3 }), 0)).toEqual([]);
    onlyTheCachedPartnerScan();
  });
});

it('an event the push-events queue does not subscribe to is refused by its contract, before planning', () => {
  expect(() =>
    PushEventsQueue.parse(JSON.stringify({ ...raw(ConnectorStatusChanged, ConnectorStatusChanged.sample), 'detail-type': 'Nope' })),
  ).toThrow(/unexpected detail-type "Nope"/);
  expect(() => PushEventsQueue.parse('not json')).toThrow(QueueMessageError);
});
