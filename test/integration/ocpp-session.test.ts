/**
 * A real OCPP 1.6J charge point (ocpp-rpc's RPCClient, not the simulator) over the local
 * WebSocket gateway `ws://…/ocpp/<chargePointId>`, with a partner driving the session over T/CEC:
 * boot → Available → Preparing → query_start_charge → RemoteStartTransaction → StartTransaction →
 * MeterValues → query_equip_charge_status → query_stop_charge → RemoteStopTransaction →
 * StopTransaction → the order's energy = meterStop − meterStart exactly (Wh). Plus the bad-input cases of the
 * issue on raw sockets (ws), where a library client would refuse to send them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { type RawData } from 'ws';
import { pilesCommand } from '../../infra/cli/piles.ts';
import type { Platform } from '../../infra/local/platform.ts';
import { idTagOf, transactionIdOf } from '../../shared/domain/ocpp.ts';
import { chargePointPassword } from '../../shared/services/ocpp-registry.ts';
import { getConnectorView } from '../../shared/store/connector-view.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { seqOf } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { ocppClient } from '../support/ocpp.ts';
import { startTestPlatform } from '../support/platform.ts';
import { type Caller, loggedIn, STATIONS_SEED } from '../support/stations.ts';

const CP = 'FX0001E01'; // connectors FX0001E01C1, FX0001E01C2 (a real client: simulated false)
const CP_NEVER_BOOTED = 'FX0001E02'; // connector FX0001E02C1 (generated password)
const PASSWORD = 'ocpp-test-password-0001';

let platform: Platform;
let p1: Caller;
let wsBase: string;

const seedWithChargePoints = (): string => {
  const seed = JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as Record<string, unknown>;
  seed.chargePoints = [{ chargePointId: CP, password: PASSWORD, simulated: false }];
  const file = join(mkdtempSync(join(tmpdir(), 'evcs-ocpp-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
};

beforeAll(async () => {
  platform = await startTestPlatform({
    seedFile: seedWithChargePoints(),
    simulator: false,
    env: { OCPP_OFFLINE_GRACE_SECONDS: '2', OCPP_CALL_TIMEOUT_SECONDS: '3', OCPP_CONFIGURE_AFTER_SECONDS: '1' },
    // the metering refusals are warnings (the last test reads them)
    logLevel: 'WARN',
  });
  p1 = await loggedIn(platform, 0);
  wsBase = `${platform.apiUrl.replace(/^http/, 'ws')}/ocpp`;
});
afterAll(async () => platform?.stop());

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** a raw socket: every frame it receives, in order */
const rawSocket = async (cp: string, password: string) => {
  const ws = new WebSocket(`${wsBase}/${cp}`, ['ocpp1.6'], { headers: { authorization: basic(cp, password) } });
  const frames: unknown[][] = [];
  ws.on('message', (d: RawData) => frames.push(JSON.parse(String(d)) as unknown[]));
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  const answerTo = (id: string) =>
    eventually(async () => frames.find((f) => f[1] === id), { until: (f) => f !== undefined, what: `answer to ${id}` });
  return { ws, frames, answerTo, send: (text: string) => ws.send(text) };
};

/** the HTTP status an upgrade is refused with */
const refusedWith = (url: string, headers: Record<string, string>, protocols = ['ocpp1.6']) =>
  new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      reject(new Error('connected'));
    });
    ws.on('error', () => undefined);
  });

const statusOf = async (connectorId: string) => (await getConnectorView(connectorId))?.status;
const waitStatus = (connectorId: string, status: number) =>
  eventually(() => statusOf(connectorId), { until: (s) => s === status, what: `${connectorId} status ${status}` });
const chargeStat = async (seq: string) =>
  (await p1.call('query_equip_charge_status', { StartChargeSeq: seq })).data as { StartChargeSeqStat: number; TotalPower: number };

const now = () => new Date().toISOString();

describe('a full session with a real OCPP 1.6J client', () => {
  it('boot → start → meter values → stop: the energy is meterStop − meterStart exactly; a dropped socket loses nothing', async () => {
    const remote: { action: string; params: Record<string, unknown> }[] = [];
    const client = () => {
      const c = ocppClient({ endpoint: wsBase, identity: CP, password: PASSWORD });
      for (const action of ['RemoteStartTransaction', 'RemoteStopTransaction'])
        c.handle(action, ({ params }) => {
          remote.push({ action, params });
          return { status: 'Accepted' };
        });
      return c;
    };
    let cp = client();
    await cp.connect();
    const boot = await cp.call('BootNotification', { chargePointVendor: 'EVCS', chargePointModel: 'Test-1' });
    expect(boot).toMatchObject({ status: 'Accepted', interval: 300 });
    expect(Number.isNaN(Date.parse(boot.currentTime))).toBe(false);
    expect(await cp.call('Heartbeat', {})).toHaveProperty('currentTime');

    for (const connectorId of [1, 2])
      await cp.call('StatusNotification', { connectorId, errorCode: 'NoError', status: 'Available', timestamp: now() });
    await waitStatus('FX0001E01C1', 1);
    await waitStatus('FX0001E01C2', 1);
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: now() });
    await waitStatus('FX0001E01C1', 2);

    // the partner starts: the charger receives RemoteStartTransaction with the order's idTag
    const seq = seqOf(p1);
    const start = await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: 'FX0001E01C1' });
    expect(start.data).toMatchObject({ SuccStat: 0 });
    const rs = await eventually(async () => remote.find((r) => r.action === 'RemoteStartTransaction'), {
      until: (r) => r !== undefined,
      what: 'RemoteStartTransaction',
    });
    expect(rs!.params).toEqual({ connectorId: 1, idTag: idTagOf(seq) });
    expect(await cp.call('Authorize', { idTag: idTagOf(seq) })).toEqual({ idTagInfo: { status: 'Accepted' } });
    expect(await cp.call('Authorize', { idTag: 'NOT-OURS' })).toEqual({ idTagInfo: { status: 'Invalid' } });

    const meterStart = 1_234_000;
    const startTx = { connectorId: 1, idTag: idTagOf(seq), meterStart, timestamp: now() };
    const tx = await cp.call('StartTransaction', startTx);
    expect(tx).toEqual({ transactionId: transactionIdOf(seq), idTagInfo: { status: 'Accepted' } });
    // a retry after a lost CALLRESULT: the same transaction, nothing started twice
    expect(await cp.call('StartTransaction', startTx)).toEqual(tx);
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging', timestamp: now() });
    await eventually(() => chargeStat(seq), { until: (d) => d.StartChargeSeqStat === 2, what: `${seq} charging` });

    // kWh and W are converted; the session's energy is register − meterStart
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: tx.transactionId,
      meterValue: [
        {
          timestamp: now(),
          sampledValue: [
            { value: '1239.5', unit: 'kWh', measurand: 'Energy.Active.Import.Register' },
            { value: '30000', unit: 'W', measurand: 'Power.Active.Import' },
            { value: '75', unit: 'A', measurand: 'Current.Import' },
            { value: '400', unit: 'V', measurand: 'Voltage' },
            { value: '42', unit: 'Percent', measurand: 'SoC' },
          ],
        },
      ],
    });
    await eventually(() => chargeStat(seq), { until: (d) => d.TotalPower === 5.5, what: `${seq} TotalPower 5.5 kWh` });

    // the charger drops its socket and comes back (no new boot): the session goes on, readings after it are billed
    await cp.close({ force: true });
    cp = client();
    await cp.connect();
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: tx.transactionId,
      meterValue: [{ timestamp: now(), sampledValue: [{ value: '1240100' }] }], // Wh by default
    });
    await eventually(() => chargeStat(seq), { until: (d) => d.TotalPower === 6.1, what: `${seq} TotalPower 6.1 kWh after reconnect` });

    const stop = await p1.call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: 'FX0001E01C1' });
    expect(stop.data).toMatchObject({ SuccStat: 0 });
    const rstop = await eventually(async () => remote.find((r) => r.action === 'RemoteStopTransaction'), {
      until: (r) => r !== undefined,
      what: 'RemoteStopTransaction',
    });
    expect(rstop!.params).toEqual({ transactionId: tx.transactionId });
    const meterStop = 1_241_321;
    expect(await cp.call('StopTransaction', { transactionId: tx.transactionId, meterStop, timestamp: now(), reason: 'Remote' })).toEqual({
      idTagInfo: { status: 'Accepted' },
    });
    const done = await eventually(() => chargeStat(seq), { until: (d) => d.StartChargeSeqStat === 4, what: `${seq} finished` });
    // the order's energy is the meter difference to the Wh; TotalPower shows it at T/CEC's 0.01 kWh
    expect((await getOrder(seq))?.energyWh).toBe(meterStop - meterStart);
    expect(done.TotalPower).toBe(Math.round((meterStop - meterStart) / 10) / 100);
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: now() });
    await waitStatus('FX0001E01C1', 1);
    await cp.close();
  });
});

describe('bad input and faults', () => {
  it('an unknown charge point, a wrong password, foreign credentials or no ocpp1.6 subprotocol are refused at connect', async () => {
    expect(await refusedWith(`${wsBase}/NO-SUCH-CP`, { authorization: basic('NO-SUCH-CP', PASSWORD) })).toBe(401);
    expect(await refusedWith(`${wsBase}/${CP}`, { authorization: basic(CP, 'wrong-password-000000') })).toBe(401);
    expect(await refusedWith(`${wsBase}/${CP}`, { authorization: basic(CP_NEVER_BOOTED, PASSWORD) })).toBe(401);
    expect(await refusedWith(`${wsBase}/${CP}`, {})).toBe(401);
    expect(await refusedWith(`${wsBase}/${CP}`, { authorization: basic(CP, PASSWORD) }, ['ocpp2.0.1'])).toBe(400);
  });

  it('a generated password (no seed entry) lets its charge point in; before BootNotification every other call is refused', async () => {
    const s = await rawSocket(CP_NEVER_BOOTED, await chargePointPassword(CP_NEVER_BOOTED));
    expect(s.ws.protocol).toBe('ocpp1.6');
    s.send(JSON.stringify([2, 'pre-1', 'Heartbeat', {}]));
    expect(await s.answerTo('pre-1')).toEqual([4, 'pre-1', 'SecurityError', expect.stringContaining('BootNotification'), {}]);
    s.send(JSON.stringify([2, 'boot-1', 'BootNotification', { chargePointVendor: 'EVCS', chargePointModel: 'Raw' }]));
    expect((await s.answerTo('boot-1'))?.[2]).toMatchObject({ status: 'Accepted' });
    s.send(JSON.stringify([2, 'hb-1', 'Heartbeat', {}]));
    expect((await s.answerTo('hb-1'))?.[0]).toBe(3);
    s.ws.close();
  });

  it('malformed frames get CALLERROR FormationViolation and the connection stays; unknown actions NotImplemented; schema violations their code', async () => {
    const s = await rawSocket(CP, PASSWORD);
    s.send('this is not json');
    s.send(JSON.stringify({ not: 'an array' }));
    s.send(JSON.stringify([2, 'short-call', 'Heartbeat']));
    await eventually(async () => s.frames.length, { until: (n) => n >= 3, what: 'three CALLERRORs' });
    expect(s.frames.slice(0, 3).map((f) => [f[0], f[2]])).toEqual([
      [4, 'FormationViolation'],
      [4, 'FormationViolation'],
      [4, 'FormationViolation'],
    ]);
    expect(s.frames[2]?.[1]).toBe('short-call');
    s.send(JSON.stringify([2, 'x-1', 'FlyToTheMoon', {}]));
    expect((await s.answerTo('x-1'))?.slice(0, 3)).toEqual([4, 'x-1', 'NotImplemented']);
    s.send(JSON.stringify([2, 'x-2', 'StatusNotification', { connectorId: 1, status: 'Available' }])); // no errorCode
    expect((await s.answerTo('x-2'))?.slice(0, 3)).toEqual([4, 'x-2', 'OccurenceConstraintViolation']);
    s.send(JSON.stringify([2, 'x-3', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Sleeping' }]));
    expect((await s.answerTo('x-3'))?.slice(0, 2)).toEqual([4, 'x-3']);
    // still connected and served
    s.send(JSON.stringify([2, 'x-4', 'Heartbeat', {}]));
    expect((await s.answerTo('x-4'))?.[0]).toBe(3);
    // a StopTransaction for a transaction nobody knows: acknowledged, nothing billed
    s.send(JSON.stringify([2, 'x-5', 'StopTransaction', { transactionId: 424242, meterStop: 10, timestamp: now() }]));
    expect(await s.answerTo('x-5')).toEqual([3, 'x-5', { idTagInfo: { status: 'Accepted' } }]);
    // DataTransfer is refused unless its vendor is configured
    s.send(JSON.stringify([2, 'x-6', 'DataTransfer', { vendorId: 'com.example' }]));
    expect(await s.answerTo('x-6')).toEqual([3, 'x-6', { status: 'UnknownVendorId' }]);
    // a StartTransaction with an idTag we never issued: Invalid, no order started
    s.send(JSON.stringify([2, 'x-7', 'StartTransaction', { connectorId: 2, idTag: 'LOCALCARD', meterStart: 0, timestamp: now() }]));
    expect((await s.answerTo('x-7'))?.[2]).toMatchObject({ idTagInfo: { status: 'Invalid' } });
    s.ws.close();
  });

  it('a RemoteStartTransaction the charger never answers times out: the order finishes without starting', async () => {
    const cp = ocppClient({ endpoint: wsBase, identity: CP, password: PASSWORD });
    let asked = 0;
    cp.handle('RemoteStartTransaction', () => {
      asked++;
      return new Promise(() => undefined); // never answered
    });
    await cp.connect();
    await cp.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Preparing', timestamp: now() });
    await waitStatus('FX0001E01C2', 2);
    const seq = seqOf(p1);
    expect((await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: 'FX0001E01C2' })).data).toMatchObject({ SuccStat: 0 });
    await eventually(() => chargeStat(seq), { until: (d) => d.StartChargeSeqStat === 4, what: `${seq} finished after the call timed out` });
    expect(asked).toBe(1);
    expect((await chargeStat(seq)).TotalPower).toBe(0);
    await cp.close({ force: true });
  });

  it('operator commands (npm run evcs -- piles …) reach the connected charger and print its answer; an offline one is said so', async () => {
    const cp = ocppClient({ endpoint: wsBase, identity: CP, password: PASSWORD });
    const got: { action: string; params: Record<string, unknown> }[] = [];
    for (const action of ['Reset', 'UnlockConnector', 'ChangeAvailability', 'TriggerMessage'])
      cp.handle(action, ({ params }) => {
        got.push({ action, params });
        return { status: action === 'UnlockConnector' ? 'Unlocked' : 'Accepted' };
      });
    await cp.connect();
    const run = async (verb: string, args: Record<string, string>) => {
      const lines: string[] = [];
      const code = await pilesCommand(verb, { equipmentId: CP, local: true, ...args }, (l) => lines.push(l));
      return { code, out: lines.join('\n') };
    };
    expect(await run('reset', { type: 'Hard' })).toMatchObject({ code: 0, out: expect.stringContaining('"status":"Accepted"') });
    expect(await run('unlock', { connector: '2' })).toMatchObject({ code: 0, out: expect.stringContaining('Unlocked') });
    expect((await run('availability', { connector: '0', type: 'Inoperative' })).code).toBe(0);
    expect((await run('trigger', { message: 'StatusNotification', connector: '1' })).code).toBe(0);
    expect(got).toEqual([
      { action: 'Reset', params: { type: 'Hard' } },
      { action: 'UnlockConnector', params: { connectorId: 2 } },
      { action: 'ChangeAvailability', params: { connectorId: 0, type: 'Inoperative' } },
      { action: 'TriggerMessage', params: { requestedMessage: 'StatusNotification', connectorId: 1 } },
    ]);
    expect((await run('reset', { type: 'Sideways' })).code).toBe(1); // not valid OCPP: never sent
    expect(got).toHaveLength(4);
    await cp.close({ force: true });
    const offline = await pilesCommand('reset', { equipmentId: 'FX0002E01', local: true }, () => undefined);
    expect(offline).toBe(1);
    const lines: string[] = [];
    expect(await pilesCommand('credentials', { equipmentId: CP_NEVER_BOOTED, local: true }, (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain(await chargePointPassword(CP_NEVER_BOOTED));
    await expect(pilesCommand('credentials', { equipmentId: CP_NEVER_BOOTED, local: false }, () => undefined)).rejects.toThrow(
      /only for the local/,
    );
  });

  it('a rotated password replaces the old one at once', async () => {
    const lines: string[] = [];
    const old = await chargePointPassword(CP_NEVER_BOOTED);
    expect(await pilesCommand('credentials', { equipmentId: CP_NEVER_BOOTED, rotate: true, local: true }, (l) => lines.push(l))).toBe(0);
    const fresh = await chargePointPassword(CP_NEVER_BOOTED);
    expect(fresh).not.toBe(old);
    expect(lines.join('\n')).toContain(fresh);
    expect(await refusedWith(`${wsBase}/${CP_NEVER_BOOTED}`, { authorization: basic(CP_NEVER_BOOTED, old) })).toBe(401);
    const s = await rawSocket(CP_NEVER_BOOTED, fresh);
    s.ws.close();
  });

  it('a disconnected charge point goes offline only after the grace period, not at once', async () => {
    const s = await rawSocket(CP_NEVER_BOOTED, await chargePointPassword(CP_NEVER_BOOTED));
    s.send(JSON.stringify([2, 'st-1', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }]));
    await s.answerTo('st-1');
    await waitStatus('FX0001E02C1', 1);
    const closedAt = Date.now();
    s.ws.close();
    await waitStatus('FX0001E02C1', 0);
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(2_000);
  });
});

describe('the platform sets the metering of a booted charge point (issue 9 §2, OCPP 1.6 §5.3 / §9.1)', () => {
  it('after an accepted boot: ChangeConfiguration of the four metering keys; a key refused is logged with the charge point', async () => {
    const asked: { key: string; value: string }[] = [];
    const cp = ocppClient({ endpoint: wsBase, identity: CP, password: PASSWORD });
    // a charger that takes the sample interval, refuses the aligned one and does not know the measurand lists
    cp.handle('ChangeConfiguration', ({ params }) => {
      asked.push({ key: String(params.key), value: String(params.value) });
      if (params.key === 'MeterValueSampleInterval') return { status: 'Accepted' };
      return { status: params.key === 'ClockAlignedDataInterval' ? 'Rejected' : 'NotSupported' };
    });
    await cp.connect();
    // nothing is asked before the boot is answered
    expect(asked).toEqual([]);
    const logsBefore = platform.logs().length;
    expect(await cp.call('BootNotification', { chargePointVendor: 'EVCS', chargePointModel: 'Test-2' })).toMatchObject({
      status: 'Accepted',
    });
    await eventually(async () => asked.length, { until: (n) => n === 4, what: 'four ChangeConfiguration calls' });
    expect(asked).toEqual([
      { key: 'MeterValueSampleInterval', value: '50' },
      { key: 'ClockAlignedDataInterval', value: '1800' },
      { key: 'MeterValuesSampledData', value: 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC' },
      { key: 'MeterValuesAlignedData', value: 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC' },
    ]);
    const refused = await eventually(
      async () =>
        platform
          .logs()
          .slice(logsBefore)
          .filter((l) => l.includes('charge point keeps its own metering'))
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      { until: (l) => l.length === 3, what: 'the three refusals logged' },
    );
    expect(refused.map((l) => [l.chargePoint, l.key, l.status]).sort()).toEqual([
      [CP, 'ClockAlignedDataInterval', 'Rejected'],
      [CP, 'MeterValuesAlignedData', 'NotSupported'],
      [CP, 'MeterValuesSampledData', 'NotSupported'],
    ]);
    await cp.close({ force: true });
  });
});
