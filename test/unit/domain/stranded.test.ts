/**
 * The stranded-session rule (shared/domain/stranded.ts) on an injected clock: which charging orders
 * a pile left behind are ended, why (StopReason), at which time — and that a live meter always
 * keeps an order running.
 */
import { describe, expect, it } from 'vitest';
import { ConnectorState, OrderStatus, STOP_REASON_PILE_SILENT } from '../../../shared/domain/charging.ts';
import { DEFAULT_STRANDED_POLICY, minStrandedSeconds, type StrandedFacts, strandedVerdict } from '../../../shared/domain/stranded.ts';

const policy = { offlineSeconds: 900, idleSeconds: 600, silentSeconds: 1800 };
const T0 = Date.parse('2026-11-30T08:00:00Z');
const min = (m: number) => T0 + m * 60_000;
const charging = (lastReadingMin: number, connector?: { status: number; sinceMin: number }): StrandedFacts => ({
  status: OrderStatus.Charging,
  lastReadingAt: min(lastReadingMin),
  ...(connector ? { connector: { status: connector.status, observedAt: min(connector.sinceMin) } } : {}),
});

describe('strandedVerdict', () => {
  it('ends an order whose connector has been offline, with no reading, for the offline time: StopReason 3 at the last reading', () => {
    const f = charging(0, { status: ConnectorState.Offline, sinceMin: 1 });
    expect(strandedVerdict(f, policy, min(15))).toEqual({ stranded: false }); // offline for 14 min only
    expect(strandedVerdict(f, policy, min(16))).toMatchObject({
      stranded: true,
      cause: 'connector-offline',
      stopReason: 3,
      endedAt: min(0),
    });
  });

  it('ends an order whose connector reports idle (Available, no StopTransaction) for the idle time: StopReason 4', () => {
    const f = charging(0, { status: ConnectorState.Idle, sinceMin: 0 });
    expect(strandedVerdict(f, policy, min(9.99))).toEqual({ stranded: false });
    const v = strandedVerdict(f, policy, min(10));
    expect(v).toMatchObject({ stranded: true, cause: 'connector-idle', stopReason: 4, endedAt: min(0) });
    expect(v.stranded && v.reason).toMatch(/idle and no meter reading for 10 min/);
  });

  it('ends an order with a silent meter whatever the connector says: StopReason 6 (custom, pile silent)', () => {
    const f = charging(0, { status: ConnectorState.Charging, sinceMin: 0 });
    expect(strandedVerdict(f, policy, min(29))).toEqual({ stranded: false });
    expect(strandedVerdict(f, policy, min(30))).toMatchObject({
      stranded: true,
      cause: 'meter-silent',
      stopReason: STOP_REASON_PILE_SILENT,
    });
    // a connector never heard from is no excuse either
    expect(strandedVerdict(charging(0), policy, min(30))).toMatchObject({ stranded: true, cause: 'meter-silent' });
  });

  it('never ends an order with a live meter, whatever the connector reports', () => {
    for (const status of [
      ConnectorState.Offline,
      ConnectorState.Idle,
      ConnectorState.Plugged,
      ConnectorState.Charging,
      ConnectorState.Fault,
    ])
      expect(strandedVerdict(charging(59, { status, sinceMin: 0 }), policy, min(60))).toEqual({ stranded: false });
  });

  it('a connector only just offline does not end an order quiet for longer (both times must have passed)', () => {
    expect(strandedVerdict(charging(0, { status: ConnectorState.Offline, sinceMin: 20 }), policy, min(25))).toEqual({ stranded: false });
  });

  it('applies to charging orders only (starting and stopping have their own timeouts; finished is final)', () => {
    for (const status of [OrderStatus.Starting, OrderStatus.Stopping, OrderStatus.Finished])
      expect(strandedVerdict({ status, lastReadingAt: min(0) }, policy, min(600))).toEqual({ stranded: false });
  });

  it('is a function of its facts and the clock: the same answer twice', () => {
    const f = charging(0, { status: ConnectorState.Offline, sinceMin: 0 });
    expect(strandedVerdict(f, policy, min(40))).toEqual(strandedVerdict(f, policy, min(40)));
  });

  it('the sweep reads only orders quiet for the shortest of the three times', () => {
    expect(minStrandedSeconds(policy)).toBe(600);
    expect(minStrandedSeconds(DEFAULT_STRANDED_POLICY)).toBe(600);
  });
});
