/**
 * Supervision reporting end to end on the local platform: a real charging session's meter readings
 * become process-samples items (not order attributes), and the export of the session's hour for a
 * supervision partner of the station's region (AreaCode prefix) holds its order and samples — read
 * from DynamoDB Local, written to the local S3 server.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { config } from '../../shared/config.ts';
import { chinaHour, PROCESS_SAMPLE_SHARDS, type ProcessSample } from '../../shared/domain/process-samples.ts';
import { exportOne, periodOf, supervisionPartner } from '../../shared/services/dxp-runs.ts';
import { onboardPartner } from '../../shared/services/onboarding.ts';
import { PutCommand, QueryCommand } from '../../shared/store/doc.ts';
import { dynamo } from '../../shared/store/dynamo.ts';
import { getObject } from '../../shared/store/objects.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { appendSamples, samplesOfHour, samplesSince } from '../../shared/store/process-samples.ts';
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
        // one item per pile-events batch and hour, with every order of the batch (issue 9 §2)
        for (const i of r.Items ?? []) for (const o of i.o as { seq: string; s: unknown[] }[]) if (o.seq === seq) stored += o.s.length;
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

  it('one item per batch carries several orders; a reading two batches carried is read once; items of the earlier shape still read', async () => {
    const hour = '2031-01-02T03';
    const t0 = Date.parse('2031-01-01T19:00:00Z'); // 03:00 China time
    const s = (sec: number, kw: number): ProcessSample => [t0 + sec * 1000, 400, 100, kw, 50, sec * 10];
    const a = { StartChargeSeq: 'SEQA', ConnectorID: 'CA', StationID: 'SA' };
    const b = { StartChargeSeq: 'SEQB', ConnectorID: 'CB', StationID: 'SB' };
    const ttl = Math.floor(t0 / 1000) + 86_400;
    // batch 1: A and B; batch 2 (a redelivery of A's reading at 50 s with a new one, and B's next)
    await appendSamples(
      hour,
      [
        { ...a, samples: [s(0, 10), s(50, 11)] },
        { ...b, samples: [s(5, 20)] },
      ],
      ttl,
    );
    await appendSamples(
      hour,
      [
        { ...a, samples: [s(50, 11), s(100, 12)] },
        { ...b, samples: [s(55, 21)] },
      ],
      ttl,
    );
    // the same batch again: the same item
    await appendSamples(
      hour,
      [
        { ...a, samples: [s(50, 11), s(100, 12)] },
        { ...b, samples: [s(55, 21)] },
      ],
      ttl,
    );
    // an item of the earlier shape (one order per item), as written before issue 9 §2
    await dynamo().send(
      new PutCommand({
        TableName: config().tableName('process-samples'),
        Item: {
          pk: `HOUR#${hour}#0`,
          sk: `${String(t0 + 150_000).padStart(14, '0')}#SEQC`,
          seq: 'SEQC',
          ConnectorID: 'CC',
          StationID: 'SC',
          s: [s(150, 30)],
          ttl,
        },
      }),
    );
    const bySeq = (batches: Awaited<ReturnType<typeof samplesOfHour>>) => {
      const out: Record<string, number[]> = {};
      for (const x of batches) {
        expect(x.hour).toBe(hour);
        out[x.StartChargeSeq] = [...(out[x.StartChargeSeq] ?? []), ...x.samples.map((y) => (y[0] - t0) / 1000)].sort((p, q) => p - q);
      }
      return out;
    };
    const all = await samplesOfHour(hour);
    expect(bySeq(all)).toEqual({ SEQA: [0, 50, 100], SEQB: [5, 55], SEQC: [150] });
    expect(all.find((x) => x.StartChargeSeq === 'SEQB')).toMatchObject({ ConnectorID: 'CB', StationID: 'SB' });
    expect(all.find((x) => x.StartChargeSeq === 'SEQC')).toMatchObject({ ConnectorID: 'CC', StationID: 'SC' });
    // since a watermark: only the items whose last sample is at or after it (a late reading in a
    // batch never hides the batch's fresh ones)
    expect(bySeq(await samplesSince(hour, t0 + 50_000))).toEqual({ SEQA: [0, 50, 100], SEQB: [5, 55], SEQC: [150] });
    expect(bySeq(await samplesSince(hour, t0 + 51_000))).toEqual({ SEQA: [50, 100], SEQB: [55], SEQC: [150] });
    expect(bySeq(await samplesSince(hour, t0 + 101_000))).toEqual({ SEQC: [150] });
  });
});
