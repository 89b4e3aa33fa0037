/** OCPP 1.6J, the pure part: frames, the status / stop-reason / meter mappings, the identifiers, Basic credentials, schema checks. */
import { describe, expect, it } from 'vitest';
import {
  basicCredentials,
  callFrame,
  chargePointsOf,
  connectorIdAt,
  connectorStatusOf,
  errorFrame,
  idTagOf,
  parseFrame,
  readingOf,
  resultFrame,
  stopCauseOf,
  transactionIdOf,
} from '../../../shared/domain/ocpp.ts';
import { checkAnswer, checkCall } from '../../../shared/ocpp/schemas.ts';

describe('parseFrame', () => {
  it('reads CALL, CALLRESULT and CALLERROR', () => {
    expect(parseFrame('[2,"a1","Heartbeat",{}]')).toEqual({ kind: 'call', id: 'a1', action: 'Heartbeat', payload: {} });
    expect(parseFrame('[3,"a1",{"currentTime":"x"}]')).toEqual({ kind: 'result', id: 'a1', payload: { currentTime: 'x' } });
    expect(parseFrame('[4,"a1","NotSupported","no",{}]')).toEqual({
      kind: 'error',
      id: 'a1',
      code: 'NotSupported',
      description: 'no',
      details: {},
    });
  });

  it.each([
    ['not json', undefined],
    ['{"a":1}', undefined],
    ['[2]', undefined],
    ['[2, 17, "Heartbeat", {}]', undefined],
    [`[2, "${'x'.repeat(37)}", "Heartbeat", {}]`, undefined],
    ['[2, "m1", "Heartbeat"]', 'm1'],
    ['[2, "m1", "Heartbeat", []]', 'm1'],
    ['[3, "m1"]', 'm1'],
    ['[4, "m1", 5, "x", {}]', 'm1'],
    ['[9, "m1", {}]', 'm1'],
  ])('%s is malformed (message id %s kept for the CALLERROR)', (text, id) => {
    const f = parseFrame(text);
    expect(f.kind).toBe('malformed');
    expect(f.kind === 'malformed' && f.id).toBe(id);
  });

  it('writes frames that read back', () => {
    expect(parseFrame(callFrame('c', 'Reset', { type: 'Soft' }))).toEqual({
      kind: 'call',
      id: 'c',
      action: 'Reset',
      payload: { type: 'Soft' },
    });
    expect(parseFrame(resultFrame('c', {}))).toEqual({ kind: 'result', id: 'c', payload: {} });
    expect(JSON.parse(errorFrame('c', 'FormationViolation', 'x'.repeat(300)))[3]).toHaveLength(255);
  });
});

describe('mappings', () => {
  it('StatusNotification.status → T/CEC connector status', () => {
    expect(
      (
        ['Available', 'Preparing', 'Finishing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Reserved', 'Unavailable', 'Faulted'] as const
      ).map(connectorStatusOf),
    ).toEqual([1, 2, 2, 3, 3, 3, 4, 255, 255]);
  });

  it('StopTransaction.reason → StopCause (absent = Local)', () => {
    expect(stopCauseOf('Remote')).toBe('remote');
    expect(stopCauseOf('EVDisconnected')).toBe('unplugged');
    expect(stopCauseOf('EmergencyStop')).toBe('fault');
    expect(stopCauseOf('PowerLoss')).toBe('fault');
    expect(stopCauseOf('Local')).toBe('local');
    expect(stopCauseOf(undefined)).toBe('local');
  });

  it('meter values: units and multipliers respected, defaults per OCPP 1.6, garbage left out', () => {
    expect(readingOf([{ value: '1234567' }])).toEqual({ registerWh: 1234567 });
    expect(
      readingOf([
        { value: '12.5', unit: 'kWh', measurand: 'Energy.Active.Import.Register' },
        { value: '7400', unit: 'W', measurand: 'Power.Active.Import' },
        { value: '32', measurand: 'Current.Import', phase: 'L1' },
        { value: '31', measurand: 'Current.Import', phase: 'L2' },
        { value: '230', measurand: 'Voltage', phase: 'L3-N' },
        { value: '101', measurand: 'SoC' },
        { value: 'NaN?', measurand: 'Voltage' },
        { value: '5', unit: 'varh', measurand: 'Energy.Active.Import.Register' },
      ]),
    ).toEqual({ registerWh: 12500, powerKw: 7.4, currentA: 32, currentB: 31, voltageC: 230, soc: 100 });
  });

  it('connectors 1..n are the ConnectorInfos in order; 0 and beyond n are none', () => {
    const cps = chargePointsOf([
      { EquipmentInfos: [{ EquipmentID: 'E1', ConnectorInfos: [{ ConnectorID: 'E1C1' }, { ConnectorID: 'E1C2' }] }] },
    ]);
    expect(cps).toEqual([{ chargePointId: 'E1', connectors: ['E1C1', 'E1C2'] }]);
    expect([0, 1, 2, 3, 1.5].map((n) => connectorIdAt(cps[0]!.connectors, n))).toEqual([undefined, 'E1C1', 'E1C2', undefined, undefined]);
  });
});

describe('identifiers', () => {
  it('idTag: ≤ 20 characters, stable per order, distinct across orders', () => {
    const a = idTagOf('MA01H3BQ2202611230930450001');
    expect(a.length).toBeLessThanOrEqual(20);
    expect(idTagOf('MA01H3BQ2202611230930450001')).toBe(a);
    expect(idTagOf('MA01H3BQ2202611230930450002')).not.toBe(a);
  });

  it('transactionId: a positive 31-bit integer, stable per order (a retried StartTransaction gets the same)', () => {
    const ids = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const t = transactionIdOf(`MA01H3BQ2${String(i).padStart(18, '0')}`);
      expect(Number.isInteger(t) && t > 0 && t < 2 ** 31).toBe(true);
      ids.add(t);
    }
    expect(ids.size).toBe(10_000);
    expect(transactionIdOf('x')).toBe(transactionIdOf('x'));
  });
});

describe('HTTP Basic credentials', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  it('reads user and password (the password may contain colons)', () => {
    expect(basicCredentials(`Basic ${b64('CP1:pa:ss')}`)).toEqual({ user: 'CP1', password: 'pa:ss' });
    expect(basicCredentials(`basic ${b64('CP1:x')}`)).toEqual({ user: 'CP1', password: 'x' });
  });
  it.each([undefined, '', 'Bearer abc', `Basic ${b64('no-colon')}`, 'Basic ***'])('%s → none', (h) => {
    expect(basicCredentials(h)).toBeUndefined();
  });
});

describe('schema validation (the OCPP 1.6 JSON schemas)', () => {
  it('passes a valid payload and names the OCPP error code of an invalid one', () => {
    expect(checkCall('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).toBeUndefined();
    expect(checkCall('BootNotification', { chargePointVendor: 'V' })?.code).toBe('OccurenceConstraintViolation');
    expect(checkCall('BootNotification', { chargePointVendor: 'V'.repeat(21), chargePointModel: 'M' })?.code).toBe(
      'PropertyConstraintViolation',
    );
    expect(checkCall('Heartbeat', { extra: 1 })?.code).toBe('PropertyConstraintViolation');
    expect(checkCall('MeterValues', { connectorId: 'one', meterValue: [] })?.code).toBe('TypeConstraintViolation');
    expect(checkAnswer('RemoteStartTransaction', { status: 'Accepted' })).toBeUndefined();
    expect(checkAnswer('RemoteStartTransaction', { status: 'Maybe' })).toBeDefined();
  });
});
