/**
 * query_start_charge — T/CEC 102 §3.7, over HTTP against the local runtime: StartChargeSeqStat 1
 * on an accepted start and ONE command to the pile; a repeated StartChargeSeq gets the same answer
 * and no second order or command; FailReason 1 device does not exist (also: not granted), 2 offline,
 * custom 3 busy, 4 faulted, 6 no business policy; a bad StartChargeSeq → Ret 4004.
 */
import { describe, expect, it } from 'vitest';
import { getOrder } from '../../shared/store/orders.ts';
import { seqOf, useChargingPlatform } from '../support/charging.ts';
import type { Caller } from '../support/stations.ts';

const ctx = useChargingPlatform();
interface StartAnswer {
  StartChargeSeq: string;
  StartChargeSeqStat: number;
  ConnectorID: string;
  SuccStat: number;
  FailReason: number;
}
const start = async (connectorId: string, seq = seqOf(ctx.p1), caller: Caller = ctx.p1) => {
  const r = await caller.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connectorId, QRCode: '' });
  expect(r.ret, r.msg).toBe(0);
  expect(r.sigVerified).toBe(true);
  return r.data as StartAnswer;
};
const startCommands = (seq: string) => {
  const seen: string[] = [];
  const untap = ctx.platform.cloud.bus.tap((e) => {
    if (e['detail-type'] === 'PileCommandRequested' && e.detail.StartChargeSeq === seq) seen.push(String(e.detail.command));
  });
  return { seen, untap };
};

describe('query_start_charge — T/CEC 102 §3.7 accepted', () => {
  it('→ SuccStat 0, FailReason 0, StartChargeSeqStat 1 (starting), StartChargeSeq and ConnectorID echoed; one start command', async () => {
    const seq = seqOf(ctx.p1);
    const cmds = startCommands(seq);
    expect(await start('FX0001E01C1', seq)).toEqual({
      StartChargeSeq: seq,
      StartChargeSeqStat: 1,
      ConnectorID: 'FX0001E01C1',
      SuccStat: 0,
      FailReason: 0,
    });
    await ctx.platform.cloud.drain();
    cmds.untap();
    expect(cmds.seen).toEqual(['start']);
    expect(await getOrder(seq)).toMatchObject({ StartChargeSeq: seq, ConnectorID: 'FX0001E01C1', OperatorID: ctx.p1.partner.operatorId });
  });

  it('the same StartChargeSeq again → the same answer, one order, no second command; with another ConnectorID → Ret 4004', async () => {
    const seq = seqOf(ctx.p2);
    const cmds = startCommands(seq);
    const a = await start('FX0003E01C2', seq, ctx.p2);
    const b = await start('FX0003E01C2', seq, ctx.p2);
    expect(a).toMatchObject({ SuccStat: 0, FailReason: 0 });
    expect(b).toEqual(a);
    const other = await ctx.p2.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: 'FX0003E02C1' });
    expect(other.ret).toBe(4004);
    expect(other.msg).toContain('StartChargeSeq');
    await ctx.platform.cloud.drain();
    cmds.untap();
    expect(cmds.seen).toEqual(['start']);
  });
});

describe('query_start_charge — T/CEC 102 §3.7 FailReason', () => {
  it('1: the connector does not exist; a connector the partner is not granted answers exactly the same', async () => {
    expect(await start('NOPE0001E01C1')).toMatchObject({ SuccStat: 1, FailReason: 1 });
    const seq = seqOf(ctx.p2);
    expect(await start('FX0002E01C1', seq, ctx.p2)).toMatchObject({ StartChargeSeq: seq, SuccStat: 1, FailReason: 1 });
    expect(await getOrder(seq)).toBeUndefined();
  });

  it('2: the pile is offline; the same StartChargeSeq after it is back still gets the first answer, and no order', async () => {
    await ctx.admin('FX0002E02C1', 'offline', 0);
    const seq = seqOf(ctx.p1);
    const first = await start('FX0002E02C1', seq);
    expect(first).toMatchObject({ SuccStat: 1, FailReason: 2 });
    await ctx.admin('FX0002E02C1', 'idle', 1);
    expect(await start('FX0002E02C1', seq)).toEqual(first);
    expect(await getOrder(seq)).toBeUndefined();
  });

  it('3 (custom): the connector is held by another order — whichever partner asks', async () => {
    expect(await start('FX0001E02C1')).toMatchObject({ SuccStat: 0 });
    expect(await start('FX0001E02C1')).toMatchObject({ SuccStat: 1, FailReason: 3 });
    expect(await start('FX0001E02C1', seqOf(ctx.p2), ctx.p2)).toMatchObject({ SuccStat: 1, FailReason: 3 });
  });

  it('4 (custom): the connector is faulted', async () => {
    await ctx.admin('FX0002E01C2', 'fault', 255);
    expect(await start('FX0002E01C2')).toMatchObject({ SuccStat: 1, FailReason: 4 });
  });

  it('6 (custom): the station has no business policy (no prices) — a session could not be billed', async () => {
    expect(await start('FX0004E01C1')).toMatchObject({ SuccStat: 1, FailReason: 6 });
  });
});

describe('query_start_charge — T/CEC 102 §3.7 StartChargeSeq', () => {
  it.each([
    ['too short', (c: Caller) => `${c.partner.operatorId}123`],
    ['28 characters', (c: Caller) => `${seqOf(c)}0`],
    ["another partner's OperatorID prefix", () => seqOf(ctx.p2)],
  ])('%s → Ret 4004 naming StartChargeSeq, no order', async (_what, make) => {
    const seq = make(ctx.p1);
    const r = await ctx.p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: 'FX0003E02C1' });
    expect(r.ret).toBe(4004);
    expect(r.msg).toContain('StartChargeSeq');
    expect(await getOrder(seq)).toBeUndefined();
  });
});
