/**
 * Operations from the topology: tiers decide which alarms exist and where they go, L0 functions
 * reserve concurrency, flows' declared alarms (push failure rate, breaker, parked pushes, disputes)
 * are in the stack, and every dashboard and saved Logs Insights query is derived from the same
 * declarations.
 */
import { describe, expect, it } from 'vitest';
import { topology } from '../../infra/topology/index.ts';
import { type FunctionDecl, TIER_DEFAULTS, type Topology } from '../../infra/topology/types.ts';
import { fixtureTopology } from '../fixtures/local-topology.ts';
import { type CfnRes, ref, synth } from './template.ts';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON
const props = (r: CfnRes) => r.Properties as Record<string, any>;

describe('tier-driven alarms (the real topology)', () => {
  const s = synth();
  const deployed = topology.functions.filter((f) => !f.localOnly);
  const alarms = s.ofType('AWS::CloudWatch::Alarm').map(([, r]) => props(r));
  const fnRef = (id: string) => ref(s.lid(s.stack.functions.get(id)!.fn));
  const topicOf = (f: FunctionDecl) => [ref(s.lid(s.stack.alarmTopics.topic(TIER_DEFAULTS[f.tier].severity)))];
  const lambdaAlarms = (f: FunctionDecl) =>
    alarms.filter(
      (a) =>
        a.Namespace === 'AWS/Lambda' && JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: fnRef(f.id) }]),
    );

  const l0 = deployed.filter((f) => f.tier === 'L0');
  it('has L0 functions to protect', () => expect(l0.length).toBeGreaterThan(3));

  it.each(l0.map((f) => [f.id, f] as const))(
    'L0 %s pages (critical topic) on errors, throttles and, if it serves, p99 latency',
    (_id, f) => {
      const mine = lambdaAlarms(f);
      const page = topicOf(f);
      expect(page).toEqual([ref(s.lid(s.stack.alarmTopics.topic('critical')))]);
      for (const metric of ['Errors', 'Throttles']) {
        expect(
          mine.find((a) => a.MetricName === metric),
          metric,
        ).toMatchObject({ AlarmActions: page, OKActions: page, EvaluationPeriods: 1 });
      }
      if (f.triggers.some((t) => t.type === 'http'))
        expect(mine.find((a) => a.MetricName === 'Duration')).toMatchObject({ ExtendedStatistic: 'p99', AlarmActions: page });
    },
  );

  it.each(deployed.map((f) => [f.id, f] as const))(
    '%s: reserved concurrency iff its tier (or declaration) reserves, or partners call it',
    (_id, f) => {
      const fn = s.res(s.stack.functions.get(f.id)!.fn);
      const byTier = f.reservedConcurrency ?? TIER_DEFAULTS[f.tier].reservedConcurrency;
      // a function partners call also reserves the partner limit's 20 (infra/constructs/partner-limits.ts)
      const partnerFacing = f.triggers.some((t) => t.type === 'http' && t.path.startsWith('/evcs/'));
      const expected = partnerFacing ? Math.max(20, byTier ?? 0) : byTier;
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(expected);
      if (f.tier === 'L0') expect(expected).toBeGreaterThan(0);
    },
  );

  it('every declared flow alarm exists, at its function tier severity, on the right metric', () => {
    const declared = deployed.flatMap((f) => (f.alarms ?? []).map((a) => [f, a] as const));
    expect(declared.length).toBeGreaterThanOrEqual(4);
    for (const [f, a] of declared) {
      const found = alarms.filter((x) => String(x.AlarmDescription).includes(`${f.id}: ${a.description}`));
      expect(found, `${f.id} ${a.metric}`).toHaveLength(1);
      const alarm = found[0]!;
      expect(alarm.AlarmActions).toEqual(topicOf(f));
      expect(alarm.Threshold).toBe(a.threshold);
      const text = JSON.stringify(alarm);
      expect(text).toContain(a.metric);
      if (a.per === 'partner') expect(text).toMatch(/GROUP BY OperatorID ORDER BY (SUM|MAX|AVG)\(\) DESC LIMIT 1/);
      else if (a.per) for (const other of a.per.rateOf) expect(text).toContain(other);
      else expect(alarm).toMatchObject({ Namespace: 'EVCS', MetricName: a.metric, Dimensions: [{ Name: 'service', Value: f.service }] });
    }
  });

  it('the push service alarms on its failure rate, breakers, parked pushes and disputes', () => {
    const push = deployed.find((f) => f.id === 'push-deliver')!;
    expect((push.alarms ?? []).map((a) => a.metric).sort()).toEqual([
      'OrderDisputed',
      'PushBreakerOpened',
      'PushFailedAttempt',
      'PushFailureShare',
      'PushParked',
    ]);
    const rate = alarms.find((a) => String(a.AlarmDescription).includes('push attempts failed'))!;
    const expr = (rate.Metrics as { Expression?: string }[]).find((m) => m.Expression)!.Expression!;
    expect(expr).toMatch(/^IF\(.*100 \* FILL\(m, 0\)/);
  });
});

describe('alarms the audit found hard-coded or global (issue 16 gaps)', () => {
  const s = synth();
  const alarms = s.ofType('AWS::CloudWatch::Alarm').map(([, r]) => props(r));
  const critical = [ref(s.lid(s.stack.alarmTopics.topic('critical')))];

  it.each([
    ['ocpp-connect', 'OcppConnectRejected', 50],
    ['ocpp-checks', 'OcppCallTimeouts', 5],
  ] as const)('%s declares its %s alarm in the topology: its L0 tier pages (critical)', (id, metric, threshold) => {
    const f = topology.functions.find((x) => x.id === id)!;
    expect(f.tier).toBe('L0');
    expect(f.alarms?.map((a) => a.metric)).toContain(metric);
    const found = alarms.filter((a) => a.MetricName === metric);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      Namespace: 'EVCS',
      Dimensions: [{ Name: 'service', Value: 'piles' }],
      Threshold: threshold,
      AlarmActions: critical,
      OKActions: critical,
    });
    expect(String(found[0]!.AlarmDescription)).toMatch(new RegExp(`^\\[critical\\] ${id}: OCPP`));
  });

  it('push failure rate per partner: the worst partner’s share of failed attempts, at the push tier', () => {
    const high = [ref(s.lid(s.stack.alarmTopics.topic('high')))];
    const found = alarms.filter((a) => String(a.AlarmDescription).includes("one partner's push attempts failed"));
    expect(found).toHaveLength(1);
    const a = found[0]!;
    expect(a).toMatchObject({ Threshold: 0.2, AlarmActions: high });
    const expr = (a.Metrics as { Expression?: string }[]).find((m) => m.Expression)!.Expression!;
    expect(expr).toBe(
      "SELECT AVG(PushFailureShare) FROM SCHEMA(EVCS, OperatorID, service) WHERE service = 'push' GROUP BY OperatorID ORDER BY AVG() DESC LIMIT 1",
    );
  });
});

describe('a flow adds its alarm with one line', () => {
  const topo: Topology = {
    ...fixtureTopology,
    functions: fixtureTopology.functions.map((f) =>
      f.id === 'echo-http'
        ? { ...f, tier: 'L1', alarms: [{ metric: 'OcppConnectFailed', threshold: 5, description: 'charge points fail to connect' }] }
        : f,
    ),
  };
  const s = synth({ topology: topo });

  it('becomes an alarm on EVCS/<metric> {service} at the tier severity', () => {
    const f = topo.functions.find((x) => x.id === 'echo-http')!;
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'EVCS',
      MetricName: 'OcppConnectFailed',
      Dimensions: [{ Name: 'service', Value: f.service }],
      Threshold: 5,
      AlarmActions: [ref(s.lid(s.stack.alarmTopics.topic('high')))],
    });
  });
});

describe('dashboards and saved queries from the topology', () => {
  const s = synth();
  const deployed = topology.functions.filter((f) => !f.localOnly);
  const boards = s.ofType('AWS::CloudWatch::Dashboard').map(([, r]) => props(r));
  /** the dashboard body: a Fn::Join of literal text and tokens; the literal text is what we read */
  const body = (name: string): string => {
    const b = boards.find((x) => x.DashboardName === name);
    if (!b) throw new Error(`no dashboard ${name}`);
    return JSON.stringify(b.DashboardBody);
  };

  it('one dashboard per service and an overview', () => {
    const services = [...new Set(deployed.map((f) => f.service))].sort();
    expect(boards.map((b) => b.DashboardName).sort()).toEqual([...services.map((x) => `evcs-${x}`), 'evcs-overview'].sort());
  });

  it.each(deployed.map((f) => [f.id, f] as const))(
    '%s: its service dashboard shows its errors and p99, and requests by Ret per interface',
    (id, f) => {
      const b = body(`evcs-${f.service}`);
      expect(b).toContain(`${id} (${f.tier}): invocations, errors, throttles`);
      expect(b).toContain(`${id}: duration p50 / p99`);
      const http = f.triggers.find((t) => t.type === 'http');
      if (http?.path.startsWith('/evcs/v1/')) {
        const iface = http.path.slice('/evcs/v1/'.length);
        expect(b).toContain(`MetricName=\\\\\\"Requests\\\\\\" interface=\\\\\\"${iface}\\\\\\"`);
      }
    },
  );

  it('the push dashboard shows delivered, retried, parked and breaker per partner; its queues with their DLQs', () => {
    const b = body('evcs-push');
    for (const m of ['PushDelivered', 'PushFailedAttempt', 'PushParked', 'PushBreakerOpened']) expect(b).toContain(`${m} per partner`);
    expect(b).toContain('{EVCS,OperatorID,service}');
    for (const q of ['push-events', 'push-deliveries']) expect(b).toContain(`${q}: depth, DLQ depth`);
  });

  it('sessions started and finished (the charging service’s counts) on the overview and the charging dashboard', () => {
    for (const name of ['evcs-overview', 'evcs-charging']) {
      const b = body(name);
      expect(b).toContain('sessions started / finished (orders)');
      for (const m of ['SessionStarted', 'SessionFinished'])
        expect(b).toContain(`SUM(SEARCH('{EVCS,service} MetricName=\\\\\\"${m}\\\\\\"', 'Sum', 300))`);
    }
    expect(body('evcs-push')).toContain('MetricName=\\\\\\"PushFailureShare\\\\\\" service=\\\\\\"push\\\\\\"\', \'Average\'');
  });

  it('the overview has every tier in use, sessions, queue depths and the cost drivers', () => {
    const b = body('evcs-overview');
    for (const tier of new Set(deployed.map((f) => f.tier))) expect(b).toContain(`${tier}: invocations, errors, throttles`);
    expect(b).toContain('interface=\\\\\\"query_start_charge\\\\\\" Ret=\\\\\\"0\\\\\\"');
    expect(b).toContain('queue depths');
    expect(b).toContain('cost drivers: Lambda invocations');
    expect(b).toContain('ConsumedWriteCapacityUnits');
  });

  it('saves, per search key, queries of at most 50 log groups that together cover every function log group', () => {
    const queries = s.ofType('AWS::Logs::QueryDefinition').map(([, r]) => props(r));
    const groups = deployed.map((f) => ref(s.lid(s.stack.functions.get(f.id)!.logGroup)));
    const parts = Math.ceil(groups.length / 50);
    expect(parts).toBeGreaterThan(1);
    for (const key of ['ConnectorID', 'OperatorID', 'StartChargeSeq', 'interface', 'xray_trace_id']) {
      const mine = queries.filter((q) => String(q.Name).startsWith(`evcs/by-${key}/`));
      expect(mine.map((q) => q.Name).sort()).toEqual(Array.from({ length: parts }, (_, i) => `evcs/by-${key}/${i + 1}-of-${parts}`));
      for (const q of mine) {
        expect(q.LogGroupNames.length).toBeLessThanOrEqual(50);
        expect(q.QueryString).toContain(`filter ${key} = "<${key}>"`);
        expect(q.QueryString).toContain('sort @timestamp asc');
      }
      const covered = mine.flatMap((q) => q.LogGroupNames);
      expect(covered).toHaveLength(groups.length);
      expect(new Set(covered.map((g: unknown) => JSON.stringify(g)))).toEqual(new Set(groups.map((g) => JSON.stringify(g))));
      // the first part covers the L0 functions (the core)
      const l0 = deployed.filter((f) => f.tier === 'L0').map((f) => JSON.stringify(ref(s.lid(s.stack.functions.get(f.id)!.logGroup))));
      const first = new Set(
        mine.find((q) => String(q.Name).endsWith(`/1-of-${parts}`))!.LogGroupNames.map((g: unknown) => JSON.stringify(g)),
      );
      for (const g of l0) expect(first.has(g)).toBe(true);
    }
    expect(queries).toHaveLength(5 * parts);
  });
});
