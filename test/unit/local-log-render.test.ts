/** The local console for people: Powertools records and bus events as one short line each. */
import { describe, expect, it } from 'vitest';
import { createLogOutput } from '../../infra/local/log-output.ts';
import { renderBusEvent, renderLogRecord } from '../../infra/local/log-render.ts';

const rec = (r: Record<string, unknown>) =>
  JSON.stringify({ level: 'INFO', timestamp: '2026-11-23T01:30:47.123Z', service: 'evcs', sampling_rate: 0, ...r });

describe('renderLogRecord', () => {
  it('renders a T/CEC response: interface, partner, StartChargeSeq, Ret, ms', () => {
    const line = renderLogRecord(
      rec({
        message: 'tcec response',
        interface: 'query_start_charge',
        OperatorID: 'MA01H3BQ2',
        StartChargeSeq: 'MA01H3BQ2202611230930450001',
        ConnectorID: 'C1',
        Ret: 0,
        Msg: '',
        durationMs: 35.4,
        requestId: 'r-1',
      }),
    );
    expect(line).toMatch(/^01:30:47\.123 +query_start_charge +MA01H3BQ2 +MA01H3BQ2202611230930450001 +Ret 0 +35 ms$/);
    expect(line).not.toContain('r-1');
  });

  it('falls back to the ConnectorID, and shows Msg when Ret is not 0', () => {
    const line = renderLogRecord(
      rec({
        message: 'tcec response',
        interface: 'query_equip_auth',
        OperatorID: 'MA01H3BQ2',
        ConnectorID: 'SH0001D011',
        Ret: 4004,
        Msg: 'unknown ConnectorID',
        durationMs: 7,
      }),
    );
    expect(line).toMatch(/query_equip_auth +MA01H3BQ2 +SH0001D011 +Ret 4004 7 ms +unknown ConnectorID$/);
  });

  it('renders a push attempt and a pile command on one line each', () => {
    expect(
      renderLogRecord(
        rec({
          message: 'push attempt',
          interface: 'notification_stationStatus',
          OperatorID: 'MA02XJ7K3',
          outcome: 'retry',
          durationMs: 12,
          detail: 'again in 30 s',
        }),
      ),
    ).toMatch(/^01:30:47\.123 +push +notification_stationStatus +→ MA02XJ7K3 +retry +12 ms +again in 30 s$/);
    expect(
      renderLogRecord(rec({ message: 'pile command handed over', command: 'start', ConnectorID: 'SH0001D011', StartChargeSeq: 'S1' })),
    ).toMatch(/^01:30:47\.123 +pile +start +→ SH0001D011 +S1$/);
  });

  it('shows every warning and error with its keys, without the boilerplate ones', () => {
    const line = renderLogRecord(
      rec({ level: 'WARN', message: 'push attempt failed', OperatorID: 'MA01H3BQ2', ret: 500, cold_start: true, xray_trace_id: 'x' }),
    );
    expect(line).toBe('01:30:47.123 WARN  push attempt failed  OperatorID=MA01H3BQ2 ret=500');
    expect(renderLogRecord(rec({ level: 'ERROR', message: 'unexpected error', error: { name: 'Error', message: 'boom' } }))).toBe(
      '01:30:47.123 ERROR unexpected error  error={"name":"Error","message":"boom"}',
    );
  });

  it('hides other info and debug records', () => {
    expect(renderLogRecord(rec({ message: 'start command sent' }))).toBeUndefined();
    expect(renderLogRecord(rec({ level: 'DEBUG', message: 'pile status ingested' }))).toBeUndefined();
  });

  it('passes a line that is not a record through unchanged', () => {
    expect(renderLogRecord('plain text')).toBe('plain text');
    expect(renderLogRecord('[1,2]')).toBe('[1,2]');
  });
});

describe('renderBusEvent', () => {
  it('names the event and its subject', () => {
    const e = {
      time: '2026-11-23T01:30:47Z',
      source: 'evcs.orders',
      'detail-type': 'OrderStarted',
      detail: { StartChargeSeq: 'S1', ConnectorID: 'C1' },
    };
    expect(renderBusEvent(e)).toMatch(/^01:30:47 +event OrderStarted +S1$/);
    expect(renderBusEvent({ ...e, detail: { ConnectorID: 'C1' } })).toMatch(/OrderStarted +C1$/);
  });
});

describe('createLogOutput', () => {
  const event = {
    version: '0' as const,
    id: 'e1',
    'detail-type': 'OrderStarted',
    source: 'evcs.orders',
    account: '0',
    time: '2026-11-23T01:30:47Z',
    region: 'r',
    resources: [],
    detail: { StartChargeSeq: 'S1' },
  };

  it('pretty: renders records and events, drops hidden records', () => {
    const written: string[] = [];
    const out = createLogOutput('pretty', (l) => written.push(l));
    out.record(rec({ message: 'start command sent' }));
    out.record(rec({ level: 'ERROR', message: 'boom' }));
    out.event(event);
    out.runtime('[queues] x: failed');
    expect(written).toEqual(['01:30:47.123 ERROR boom', expect.stringMatching(/event OrderStarted +S1$/), '[queues] x: failed']);
  });

  it('json: the Powertools lines as they are, no event lines', () => {
    const written: string[] = [];
    const out = createLogOutput('json', (l) => written.push(l));
    out.record(rec({ message: 'start command sent' }));
    out.event(event);
    expect(written).toEqual([rec({ message: 'start command sent' })]);
  });

  it('buffer: writes nothing and keeps the lines', () => {
    const written: string[] = [];
    const out = createLogOutput('buffer', (l) => written.push(l));
    out.record(rec({ level: 'ERROR', message: 'boom' }));
    out.runtime('[bus] failed');
    expect(written).toEqual([]);
    expect(out.lines()).toEqual([rec({ level: 'ERROR', message: 'boom' }), '[bus] failed']);
  });
});

describe('the Powertools logger sink', () => {
  it('sends each record to the installed sink instead of stdout, and back to stdout when removed', async () => {
    const { logger, setLogSink } = await import('#powertools');
    const got: string[] = [];
    setLogSink((l) => got.push(l));
    try {
      logger.warn('push attempt failed', { OperatorID: 'MA01H3BQ2' });
    } finally {
      setLogSink(undefined);
    }
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0] ?? '{}')).toMatchObject({ level: 'WARN', message: 'push attempt failed', OperatorID: 'MA01H3BQ2' });
  });
});
