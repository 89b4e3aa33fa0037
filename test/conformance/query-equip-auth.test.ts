/**
 * query_equip_auth — T/CEC 102 §3.5 (设备认证), over HTTP against the local runtime: the answer
 * echoes EquipAuthSeq and ConnectorID; SuccStat 0 only for a plugged-in connector; FailReason 1
 * not plugged in, 2 device check failed (unknown, not granted, offline, faulted), custom 3 in use.
 */
import { describe, expect, it } from 'vitest';
import { seqOf, useChargingPlatform } from '../support/charging.ts';

const ctx = useChargingPlatform();
const auth = async (connectorId: string, caller = ctx.p1) => {
  const seq = seqOf(caller);
  const r = await caller.call('query_equip_auth', { EquipAuthSeq: seq, ConnectorID: connectorId });
  expect(r.ret, r.msg).toBe(0);
  expect(r.sigVerified).toBe(true);
  expect(r.data).toMatchObject({ EquipAuthSeq: seq, ConnectorID: connectorId });
  return r.data as { SuccStat: number; FailReason: number };
};

describe('query_equip_auth — T/CEC 102 §3.5', () => {
  it('a plugged-in connector → SuccStat 0, FailReason 0, EquipAuthSeq and ConnectorID echoed', async () => {
    await ctx.admin('FX0001E01C1', 'plugged', 2);
    expect(await auth('FX0001E01C1')).toMatchObject({ SuccStat: 0, FailReason: 0 });
    expect(await auth('FX0001E01C1', ctx.p2)).toMatchObject({ SuccStat: 0, FailReason: 0 });
  });

  it('an idle connector with no vehicle → FailReason 1 (此设备尚未插枪)', async () => {
    await ctx.waitStatus('FX0002E01C1', 1);
    expect(await auth('FX0002E01C1')).toEqual(expect.objectContaining({ SuccStat: 1, FailReason: 1 }));
  });

  it('an unknown connector → FailReason 2; one the partner is not granted → the very same answer', async () => {
    expect(await auth('NOPE0001E01C1')).toMatchObject({ SuccStat: 1, FailReason: 2 });
    // FX0002 is not granted to partner 2: indistinguishable from a connector that does not exist
    expect(await auth('FX0002E01C1', ctx.p2)).toMatchObject({ SuccStat: 1, FailReason: 2 });
  });

  it('an offline or faulted connector → FailReason 2 (设备检查失败)', async () => {
    await ctx.admin('FX0002E02C1', 'offline', 0);
    expect(await auth('FX0002E02C1')).toMatchObject({ SuccStat: 1, FailReason: 2 });
    await ctx.admin('FX0004E02C1', 'fault', 255);
    expect(await auth('FX0004E02C1')).toMatchObject({ SuccStat: 1, FailReason: 2 });
  });

  it('a connector already charging → custom FailReason 3 (in use)', async () => {
    await ctx.charging(ctx.p1, 'FX0003E01C1');
    await ctx.waitStatus('FX0003E01C1', 3);
    expect(await auth('FX0003E01C1', ctx.p2)).toMatchObject({ SuccStat: 1, FailReason: 3 });
  });

  it('a request without ConnectorID → Ret 4004 naming the field', async () => {
    const r = await ctx.p1.call('query_equip_auth', { EquipAuthSeq: seqOf(ctx.p1) });
    expect(r.ret).toBe(4004);
    expect(r.msg).toContain('ConnectorID');
  });
});
