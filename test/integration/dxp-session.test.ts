/**
 * Supervision reporting end to end on the local platform: a real charging session's meter readings
 * become process-samples items (not order attributes), and the export of the session's hour for a
 * supervision partner of the station's region (AreaCode prefix) holds its order and samples — read
 * from DynamoDB Local, written to the local S3 server.
 */
import { createHash } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { config } from '../../shared/config.ts';
import { chinaHour, PROCESS_SAMPLE_SHARDS } from '../../shared/domain/process-samples.ts';
import { exportOne, periodOf, supervisionPartner } from '../../shared/services/dxp-runs.ts';
import { onboardPartner } from '../../shared/services/onboarding.ts';
import { dynamo } from '../../shared/store/dynamo.ts';
import { getObject } from '../../shared/store/objects.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { useChargingPlatform } from '../support/charging.ts';

const ctx = useChargingPlatform({ env: { PROCESS_SAMPLE_SECONDS: '1' } });

describe('dxp: samples and exports from a real session', () => {
  it('a session keeps its samples outside the order; the hour’s export for the region holds the order and its samples', async () => {
    const connector = 'FX0001E01C1'; // station FX0001, AreaCode 310112 (Shanghai)
    const seq = await ctx.charging(ctx.p1, connector);
    await ctx.pump(
      () => getOrder(seq),
      (o) => (o?.meter?.n ?? 0) >= 3,
      `${seq} has several readings`,
    );
    await ctx.stopped(ctx.p1, seq, connector);
    const order = await getOrder(seq);
    expect(order?.endedAt).toBeDefined();
    expect(Object.keys(order ?? {})).not.toContain('samples');

    // the samples' items of the session's hours
    const first = new Date(order!.startedAt!).getTime();
    const hours = [...new Set([chinaHour(first), chinaHour(new Date(order!.endedAt!).getTime())])];
    let stored = 0;
    for (const h of hours)
      for (let shard = 0; shard < PROCESS_SAMPLE_SHARDS; shard++) {
        const r = await dynamo().send(
          new QueryCommand({
            TableName: config().tableName('process-samples'),
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `HOUR#${h}#${shard}` },
          }),
        );
        for (const i of r.Items ?? []) if (i.seq === seq) stored += (i.s as unknown[]).length;
      }
    expect(stored).toBeGreaterThanOrEqual(2);

    await onboardPartner({
      operatorId: 'SHJG00009',
      name: 'Shanghai supervision',
      kind: 'supervision',
      profile: 'provincial',
      areaCodes: ['31'],
    });
    await onboardPartner({
      operatorId: 'BJJG00009',
      name: 'Beijing supervision',
      kind: 'supervision',
      profile: 'beijing',
      areaCodes: ['11'],
    });
    const endHour = chinaHour(new Date(order!.endedAt!).getTime());
    const sh = await exportOne(await supervisionPartner('SHJG00009'), periodOf(endHour), new Date());
    const orders = sh.manifest.objects.find((o) => o.kind === 'orders')!;
    const body = Buffer.from((await getObject('exports', orders.key)) ?? []).toString('utf8');
    expect(createHash('sha256').update(body).digest('hex')).toBe(orders.sha256);
    expect(body).toContain(seq);
    // the samples are in the hours of the session (it may cross an hour: its last hour may hold none)
    let samples = 0;
    for (const h of hours) {
      const r = h === endHour ? sh : await exportOne(await supervisionPartner('SHJG00009'), periodOf(h), new Date());
      samples += r.manifest.objects.find((o) => o.kind === 'samples')?.count ?? 0;
    }
    expect(samples).toBeGreaterThanOrEqual(1);

    const bj = await exportOne(await supervisionPartner('BJJG00009'), periodOf(endHour), new Date());
    expect(bj.manifest.objects.find((o) => o.kind === 'orders')?.count).toBe(0);
    await expect(supervisionPartner(ctx.p1.partner.operatorId)).rejects.toThrow(/not a supervision partner/);
  });
});
