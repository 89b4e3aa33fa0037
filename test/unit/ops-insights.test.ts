/**
 * `evcs trace --aws` and `evcs usage --aws`: which CloudWatch Logs calls they make (the log groups
 * by the stack's prefix, one Logs Insights query per 50 groups, polled until complete) and how the
 * rows become a trace and a usage report. The AWS client is mocked: only the calls are checked.
 */
import { CloudWatchLogsClient, DescribeLogGroupsCommand, GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { STACK_NAME } from '../../infra/app.ts';
import { DEFAULT_LOG_GROUP_PREFIX, OEM_LOG_GROUP_PREFIX, servedInterfaces, traceCommand, usageCommand } from '../../infra/cli/ops.ts';
import { USAGE_COUNT_QUERY, USAGE_LATENCY_QUERY } from '../../infra/ops/insights.ts';
import { QUERY_LIMIT, TRACE_KEYS } from '../../infra/ops/queries.ts';
import { parseJsonLines, traceOf } from '../../infra/ops/trace.ts';
import { callOf, percentile, usageOf } from '../../infra/ops/usage.ts';
import { oemStackName } from '../../infra/topology/oem.ts';

const cwl = mockClient(CloudWatchLogsClient);
// the unit lane shares modules (isolate: false): the next file gets the real client back
afterAll(() => cwl.restore());
const client = new CloudWatchLogsClient({ region: 'cn-north-1' });
const now = new Date('2026-11-30T12:00:00Z');
const field = (f: string, v: string) => ({ field: f, value: v });

beforeEach(() => {
  cwl.reset();
  // 60 groups over two pages: two queries (50 + 10)
  cwl
    .on(DescribeLogGroupsCommand)
    .resolvesOnce({ logGroups: Array.from({ length: 40 }, (_, i) => ({ logGroupName: `EvcsInterconnect-Fn${i}` })), nextToken: 'p2' })
    .resolvesOnce({ logGroups: Array.from({ length: 20 }, (_, i) => ({ logGroupName: `EvcsInterconnect-Fn${40 + i}` })) });
});

describe('trace --aws', () => {
  it('queries every log group of the stack by any search key, in time order, and polls until complete', async () => {
    cwl.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cwl
      .on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Running' })
      .resolvesOnce({
        status: 'Complete',
        results: [
          [
            field('@timestamp', '2026-11-30 11:00:00.100'),
            field('function_name', 'evcs-query-start-charge'),
            field('message', 'tcec response'),
            field('interface', 'query_start_charge'),
            field('Ret', '0'),
            field('StartChargeSeq', 'S1'),
          ],
        ],
      })
      .resolves({ status: 'Complete', results: [] });
    const lines: string[] = [];
    const code = await traceCommand('S1', { aws: true, client, now, days: '2', print: (l) => lines.push(l) });
    expect(code).toBe(0);

    const describeCalls = cwl.commandCalls(DescribeLogGroupsCommand);
    expect(describeCalls.map((c) => c.args[0].input)).toEqual([
      { logGroupNamePrefix: DEFAULT_LOG_GROUP_PREFIX },
      { logGroupNamePrefix: DEFAULT_LOG_GROUP_PREFIX, nextToken: 'p2' },
      // the OEM stacks' groups too (none here): an order's story shows the msp layer with the core
      { logGroupNamePrefix: OEM_LOG_GROUP_PREFIX },
    ]);
    const starts = cwl.commandCalls(StartQueryCommand).map((c) => c.args[0].input);
    expect(starts.map((s) => s.logGroupNames?.length)).toEqual([50, 10]);
    for (const s of starts) {
      for (const k of TRACE_KEYS) expect(s.queryString).toContain(`${k} = "S1"`);
      expect(s.queryString).toContain('sort @timestamp asc');
      expect(s.startTime).toBe(now.getTime() / 1000 - 2 * 86400);
      expect(s.endTime).toBe(now.getTime() / 1000);
    }
    expect(lines[0]).toMatch(/^2026-11-30 11:00:00\.100 {2}query-start-charge\s+query_start_charge → Ret 0 {2}StartChargeSeq=S1$/);
    expect(lines.at(-1)).toBe('1 record(s) for S1 (CloudWatch Logs)');
  });

  it('merges the batches in time order, and says when a batch hit the 10,000-row limit', async () => {
    // two batches (50 + 10 groups), each in order on its own, interleaved in time
    cwl.on(StartQueryCommand).resolvesOnce({ queryId: 'b1' }).resolvesOnce({ queryId: 'b2' });
    const rec = (at: string, message: string) => [field('@timestamp', at), field('message', message), field('StartChargeSeq', 'S1')];
    const filler = Array.from({ length: QUERY_LIMIT - 2 }, () => rec('2026-11-30 11:30:00.000', 'filler'));
    cwl.on(GetQueryResultsCommand, { queryId: 'b1' }).resolves({
      status: 'Complete',
      results: [rec('2026-11-30 11:00:00.100', 'a'), rec('2026-11-30 11:00:00.300', 'c'), ...filler],
    });
    cwl.on(GetQueryResultsCommand, { queryId: 'b2' }).resolves({
      status: 'Complete',
      results: [rec('2026-11-30 11:00:00.200', 'b'), rec('2026-11-30 11:00:00.400', 'd')],
    });
    const lines: string[] = [];
    await traceCommand('S1', { aws: true, client, now, print: (l) => lines.push(l) });
    const steps = lines.map((l) => l.split(/\s+/)[3]).filter((m) => m && m !== 'filler' && /^[a-d]$/.test(m));
    expect(steps).toEqual(['a', 'b', 'c', 'd']);
    const times = lines.filter((l) => /^2026-/.test(l)).map((l) => l.slice(0, 23));
    expect(times).toEqual([...times].sort());
    const warnings = lines.filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('log groups 1..50 of 60');
    expect(warnings[0]).toContain(`${QUERY_LIMIT} rows`);
  });

  it('a failed query is an error, not an empty trace', async () => {
    cwl.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cwl.on(GetQueryResultsCommand).resolves({ status: 'Failed' });
    await expect(traceCommand('S1', { aws: true, client, now, print: () => {} })).rejects.toThrow(/Failed/);
  });

  it('the default log group prefix is the stack name', () => expect(DEFAULT_LOG_GROUP_PREFIX).toBe(`${STACK_NAME}-`));
  it('the OEM prefix is every OEM stack name’s', () => expect(oemStackName('bmw').startsWith(OEM_LOG_GROUP_PREFIX)).toBe(true));
});

describe('usage --aws', () => {
  it('merges the count and latency aggregations into rows, filtered by partner, and names the unused interfaces', async () => {
    cwl
      .on(StartQueryCommand)
      .callsFake((input: { queryString: string }) => ({ queryId: input.queryString.includes('pct(') ? 'lat' : 'cnt' }));
    const row = (day: string, iface: string, ...rest: ReturnType<typeof field>[]) => [
      field('day', day),
      field('interface', iface),
      field('OperatorID', 'MA01H3BQ2'),
      ...rest,
    ];
    cwl.on(GetQueryResultsCommand, { queryId: 'cnt' }).resolves({
      status: 'Complete',
      results: [
        row('2026-11-30 00:00:00.000', 'query_token', field('Ret', '0'), field('calls', '4')),
        row('2026-11-30 00:00:00.000', 'query_token', field('Ret', '4002'), field('calls', '1')),
      ],
    });
    cwl.on(GetQueryResultsCommand, { queryId: 'lat' }).resolves({
      status: 'Complete',
      results: [row('2026-11-30 00:00:00.000', 'query_token', field('p50', '12.4'), field('p99', '80.6'))],
    });
    const lines: string[] = [];
    await usageCommand({ aws: true, client, now, partner: 'MA01H3BQ2', print: (l) => lines.push(l) });
    const queries = cwl.commandCalls(StartQueryCommand).map((c) => c.args[0].input.queryString ?? '');
    expect(
      queries.some(
        (q) => q.startsWith(USAGE_COUNT_QUERY.split(' | ')[0]!) && q.includes('OperatorID = "MA01H3BQ2"') && q.includes('count(*)'),
      ),
    ).toBe(true);
    expect(queries.some((q) => q.includes(USAGE_LATENCY_QUERY.split(' | ')[1]!) && q.includes('OperatorID = "MA01H3BQ2"'))).toBe(true);
    expect(lines[1]!.split(/\s+/)).toEqual(['2026-11-30', 'query_token', 'MA01H3BQ2', '10', '0:8', '4002:2', '12', '81']);
    expect(lines.at(-1)).toBe(
      `not called: ${servedInterfaces()
        .filter((i) => i !== 'query_token')
        .sort()
        .join(', ')}`,
    );
  });
});

describe('trace and usage, pure', () => {
  it('orders by time, keeps the written order on ties, skips torn lines', () => {
    const text = [
      JSON.stringify({ timestamp: '2026-11-30T10:00:02.000Z', message: 'b', StartChargeSeq: 'S' }),
      '{"torn',
      JSON.stringify({ timestamp: '2026-11-30T10:00:01.000Z', message: 'a', ConnectorID: 'S' }),
      JSON.stringify({ timestamp: '2026-11-30T10:00:02.000Z', message: 'c', OperatorID: 'S' }),
      JSON.stringify({ timestamp: '2026-11-30T10:00:00.000Z', message: 'other', StartChargeSeq: 'T' }),
    ].join('\n');
    expect(traceOf(parseJsonLines(text), 'S').map((r) => r.message)).toEqual(['a', 'b', 'c']);
  });

  it('reads only Requests EMF records; nearest-rank percentiles; a window and a partner filter', () => {
    const emf = (at: number, iface: string, ret: string, partner: string, ms: number) => ({
      _aws: {
        Timestamp: at,
        CloudWatchMetrics: [
          { Namespace: 'EVCS', Dimensions: [['service', 'interface', 'Ret']], Metrics: [{ Name: 'Requests', Unit: 'Count' }] },
        ],
      },
      service: 'evcs',
      interface: iface,
      Ret: ret,
      OperatorID: partner,
      durationMs: ms,
      Requests: 1,
    });
    const t = Date.parse('2026-11-30T01:00:00Z');
    const records = [
      ...Array.from({ length: 100 }, (_, i) => emf(t + i, 'query_token', '0', 'A', i + 1)),
      emf(t, 'query_token', '4003', 'B', 5),
      emf(t - 8 * 86_400_000, 'query_token', '0', 'A', 1), // outside the window
      { _aws: { Timestamp: t, CloudWatchMetrics: [{ Metrics: [{ Name: 'PushDelivered' }] }] }, PushDelivered: 1 },
    ];
    const calls = records.map(callOf).filter((c) => c !== undefined);
    expect(calls).toHaveLength(102);
    const u = usageOf(calls, { since: t - 7 * 86_400_000, served: ['query_token', 'query_start_charge'], partner: 'A' });
    expect(u.rows).toEqual([
      { day: '2026-11-30', interface: 'query_token', partner: 'A', calls: 100, rets: { '0': 100 }, p50Ms: 50, p99Ms: 99 },
    ]);
    expect(u.unused).toEqual(['query_start_charge']);
    expect(percentile([], 99)).toBe(0);
    expect(percentile([7], 50)).toBe(7);
  });
});
