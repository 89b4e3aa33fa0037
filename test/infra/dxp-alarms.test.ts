/**
 * Supervision reporting in the template (issue 13): an export that fails raises an alarm per
 * platform through the tier mechanism (metric DxpExportFailed, L2 severity, in the monitoring
 * nested stack like every metric alarm), and the change lane and the realtime power schedule exist.
 */
import { describe, expect, it } from 'vitest';
import { synth } from './template.ts';

describe('dxp alarms and triggers', () => {
  const s = synth();
  const alarms = s.ofType('AWS::CloudWatch::Alarm').map(([, r]) => JSON.stringify(r));

  it('a failed export alarms per platform: the hourly export, the daily run and each of its parts', () => {
    for (const fn of ['dxp-export-hourly', 'dxp-export-daily', 'dxp-export-part']) {
      const mine = alarms.filter((a) => a.includes(`${fn}: a supervision export failed`));
      expect(mine, fn).toHaveLength(1);
      expect(mine[0]).toContain('DxpExportFailed');
      expect(mine[0]).toMatch(/GROUP BY OperatorID/);
    }
  });

  it('dxp-changes consumes its own queue (with a DLQ); dxp-realtime-power runs every 5 minutes', () => {
    const q = s.stack.queues.get('dxp-changes');
    if (!q) throw new Error('no dxp-changes queue');
    expect(s.res(q.queue).Properties.RedrivePolicy).toMatchObject({ deadLetterTargetArn: { 'Fn::GetAtt': [s.lid(q.dlq), 'Arn'] } });
    expect(s.stack.functions.get('dxp-changes')).toBeDefined();
    const json = JSON.stringify(s.template.toJSON());
    expect(json).toContain('dxp-changes');
    const schedules = s.ofType('AWS::Scheduler::Schedule').map(([, r]) => JSON.stringify(r));
    expect(schedules.some((x) => x.includes('rate(5 minutes)'))).toBe(true);
  });
});
