/**
 * check_charge_orders through the partner's profile (shared/services/reconcile.ts `callOnce`): a
 * seed profile that renames fields of the request and of the answer is written exactly in its
 * spelling, and the partner's answer in that spelling is read back, so its disputes are found.
 * The client is a recorder (no network): what is asserted is the wire Data and the outcome.
 */
import { describe, expect, it } from 'vitest';
import type { Partner } from '../../../shared/domain/partners.ts';
import { buildRequests, DisputeReason } from '../../../shared/domain/reconcile.ts';
import { callOnce } from '../../../shared/services/reconcile.ts';

const PROFILES = {
  acme: {
    extends: 'cec2016',
    rename: {
      'check_charge_orders.request': { TotalOrderMoney: 'OrderMoney', 'ChargeOrders[].TotalMoney': 'Money' },
      'check_charge_orders.response': { 'DisputeOrders[].DisputeReason': 'Reason', TotalDisputeOrder: 'DisputeCount' },
    },
  },
};
const partner = (profile?: string): Partner => ({
  operatorId: 'MA0ACME01',
  name: 'Acme',
  dialect: 'cec2016',
  stations: '*',
  status: 'active',
  features: { queryChargeInfo: false },
  ...(profile ? { profile, profiles: PROFILES } : {}),
  outbound: { baseUrl: 'http://127.0.0.1:1/evcs/v1/' },
});

const [req] = buildRequests(
  '2026-10-05',
  [
    { StartChargeSeq: 'MA0ACME01000000000000000001', TotalPower: 12.35, TotalMoney: 14.97 },
    { StartChargeSeq: 'MA0ACME01000000000000000002', TotalPower: 7.5, TotalMoney: 9.01 },
  ],
  10,
  () => 'MA5GS8X01202610060100000001',
);

/** a client that keeps what it was asked to send and answers `answer` (Ret 0, Sig verified) */
const recorder = (answer: Record<string, unknown>) => {
  const sent: Array<{ iface: string; data: Record<string, unknown> }> = [];
  return {
    sent,
    call: async <T>(iface: string, data: unknown) => {
      sent.push({ iface, data: data as Record<string, unknown> });
      return { ret: 0, msg: '', sigVerified: true, data: answer as T };
    },
  };
};

const disputed = (reasonKey: string, countKey: string) => ({
  CheckOrderSeq: req!.CheckOrderSeq,
  StartTime: req!.StartTime,
  EndTime: req!.EndTime,
  [countKey]: 1,
  TotalDisputePower: 7.5,
  TotalDisputeMoney: 9.5,
  DisputeOrders: [{ StartChargeSeq: 'MA0ACME01000000000000000002', TotalPower: 7.5, TotalMoney: 9.5, [reasonKey]: DisputeReason.Money }],
});

describe('check_charge_orders through a seed profile that renames its fields', () => {
  it('the request goes out in the profile spelling; the answer in its spelling yields the dispute', async () => {
    const client = recorder(disputed('Reason', 'DisputeCount'));
    const r = await callOnce(client, partner('acme'), req!);
    const wire = client.sent[0]!.data;
    expect(client.sent[0]!.iface).toBe('check_charge_orders');
    expect(wire).toMatchObject({ OrderMoney: 23.98, OrderCount: 2 });
    expect(wire).not.toHaveProperty('TotalOrderMoney');
    expect(wire.ChargeOrders).toEqual([
      { StartChargeSeq: 'MA0ACME01000000000000000001', TotalPower: 12.35, Money: 14.97 },
      { StartChargeSeq: 'MA0ACME01000000000000000002', TotalPower: 7.5, Money: 9.01 },
    ]);
    expect(r.kind).toBe('answered');
    if (r.kind !== 'answered') return;
    expect(r.record.failed).toBeUndefined();
    expect(r.record.TotalDisputeOrder).toBe(1);
    expect(r.disputes).toEqual([expect.objectContaining({ StartChargeSeq: 'MA0ACME01000000000000000002', reason: DisputeReason.Money })]);
  });

  it('the canonical spelling of the answer is read too (lenient in)', async () => {
    const r = await callOnce(recorder(disputed('DisputeReason', 'TotalDisputeOrder')), partner('acme'), req!);
    expect(r.kind === 'answered' && r.disputes.map((d) => d.reason)).toEqual([DisputeReason.Money]);
  });

  it('a partner without that profile is written the canonical names, and its answer in the renamed spelling is malformed', async () => {
    const client = recorder(disputed('Reason', 'DisputeCount'));
    const r = await callOnce(client, partner(), req!);
    expect(client.sent[0]!.data).toHaveProperty('TotalOrderMoney', 23.98);
    expect(r.kind === 'answered' && r.record.failed).toMatch(/^malformed answer: TotalDisputeOrder: required/);
  });
});
