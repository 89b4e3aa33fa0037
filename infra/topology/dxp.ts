/**
 * Government supervision reporting (dxp, L2): the audited exports' bucket and the charging-process
 * samples the exports read.
 *
 *   charging (pile-session-events) ─▶ process-samples table (one item per batch and hour, TTL)
 *   StationChanged, ConnectorStatusChanged ─▶ dxp-changes queue ─▶ dxp-changes: change records by hour
 *       (process-samples table, CHANGE#…) + notification_station_change, notification_stationInfo
 *       (the station's document) ─▶ push-supervision
 *   every 5 min ─▶ dxp-realtime-power: notification_realtime_power_info ─▶ push-supervision
 *   00:30 ─▶ dxp-export-daily: per partner parts/run.json + one message per hour ─▶ dxp-export-parts (+DLQ)
 *       ─▶ dxp-export-part (one hour each): parts/<hour>/ objects + parts/<hour>.json; the last part of
 *          the run writes the day's manifest
 *   exports bucket: JSON Lines objects + manifests per supervision partner and period, kept
 *   DXP_RETENTION_DAYS (3 years; context `exportsRetentionDays`), in Glacier after 90 days (context
 *   `exportsGlacierAfterDays`)
 */
import { DxpChangesQueue, DxpExportPartsQueue, PushSupervisionQueue } from '../../events/queues.ts';
import { readPartners } from './helpers.ts';
import { type BucketDecl, CALLS_NONE, type FunctionDecl, type QueueDecl, type TableDecl } from './types.ts';

/** the regulation's retention of reported data: 3 years */
export const DXP_RETENTION_DAYS = 3 * 366;

export const dxpBuckets: readonly BucketDecl[] = [
  {
    name: 'exports',
    description:
      'Audited exports to supervision platforms (JSON Lines per partner, kind and period, manifest last) and other generated documents',
    glacierAfterDays: 90,
    // replaced versions (a re-export with a reason) are kept as long as the objects: the retention in effect
    retentionDays: DXP_RETENTION_DAYS,
  },
];

export const dxpTables: readonly TableDecl[] = [
  {
    name: 'process-samples',
    description:
      'Charging-process samples (time, voltage, current, power, SoC, meter) per order, one item per order and pile batch, bucketed by China-time hour; expire (ttl) once exported',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    ttlAttribute: 'ttl',
  },
];

export const dxpQueues: readonly QueueDecl[] = [DxpChangesQueue.decl, DxpExportPartsQueue.decl];

const supervisionLane = { queue: PushSupervisionQueue.name, access: 'send' } as const;

const exportGrants = [
  readPartners,
  { table: 'stations', access: 'read' },
  { table: 'orders', access: 'read' },
  { table: 'process-samples', access: 'read' },
  { bucket: 'exports', access: 'readWrite' },
] as const;

/** an export that failed (DxpExportFailed, shared/services/dxp-runs.ts): per platform, at the L2 tier's severity */
const exportAlarms = [
  {
    metric: 'DxpExportFailed',
    threshold: 0,
    description: 'a supervision export failed: no manifest for the period (re-run it: evcs dxp export --partner … --period …)',
    per: 'partner',
  },
] as const;

export const dxpFunctions: readonly FunctionDecl[] = [
  {
    id: 'dxp-export-hourly',
    service: 'dxp',
    entry: 'functions/dxp/dxp-export.ts',
    handler: 'hourly',
    tier: 'L2',
    description: 'Exports the last complete China-time hour of every supervision partner to S3 (objects, correction, manifest last)',
    // 5 minutes past the hour (cron in the operator's time zone): late pile batches of the hour are in
    triggers: [{ type: 'schedule', expression: 'cron(5 * * * ? *)' }],
    calls: CALLS_NONE,
    grants: exportGrants,
    alarms: exportAlarms,
    // an hour of 200,000 orders/day and 20 M samples/day: ≈ 165 MB of JSON Lines, ≈ 1.5 GB peak (bench/dxp-export.bench.ts)
    timeoutSeconds: 300,
    memoryMb: 2048,
  },
  {
    id: 'dxp-export-daily',
    service: 'dxp',
    entry: 'functions/dxp/dxp-export.ts',
    handler: 'daily',
    tier: 'L2',
    description:
      'Starts the previous China-time day of every supervision partner in parts: the run record, then one dxp-export-parts message per hour',
    triggers: [{ type: 'schedule', expression: 'cron(30 0 * * ? *)' }],
    calls: CALLS_NONE,
    grants: [readPartners, { bucket: 'exports', access: 'readWrite' }, { queue: DxpExportPartsQueue.name, access: 'send' }],
    alarms: exportAlarms,
    timeoutSeconds: 60,
  },
  {
    id: 'dxp-export-part',
    service: 'dxp',
    entry: 'functions/dxp/dxp-export.ts',
    handler: 'part',
    tier: 'L2',
    description:
      "One hour of a supervision partner's daily export (objects of every kind, then the part's record); the run's last part writes the day's manifest",
    // one part per invocation; 4 parts at once: a day of 24 parts in ≈ 6 rounds, DynamoDB reads spread
    triggers: [{ type: 'queue', queue: DxpExportPartsQueue.name, batchSize: 1, maxConcurrency: 4 }],
    calls: CALLS_NONE,
    grants: exportGrants,
    alarms: exportAlarms,
    // one hour of a 20 M-sample day: ≈ 165 MB of JSON Lines (bench/dxp-export.bench.ts: per-part wall time)
    timeoutSeconds: 600,
    memoryMb: 1769,
  },
  {
    id: 'dxp-changes',
    service: 'dxp',
    entry: 'functions/dxp/dxp-changes.ts',
    tier: 'L2',
    description:
      'Keeps station and connector status changes by hour for the supervision exports; pushes notification_station_change and notification_stationInfo to the platforms of the region',
    triggers: [{ type: 'queue', queue: DxpChangesQueue.name, batchSize: 25, maxBatchingWindowSeconds: 5, maxConcurrency: 2 }],
    calls: CALLS_NONE,
    grants: [readPartners, { table: 'process-samples', access: 'readWrite' }, { table: 'stations', access: 'read' }, supervisionLane],
    timeoutSeconds: 30,
  },
  {
    id: 'dxp-realtime-power',
    service: 'dxp',
    entry: 'functions/dxp/dxp-realtime-power.ts',
    tier: 'L2',
    description:
      "Every 5 minutes: notification_realtime_power_info (each station's charging power, from the latest process samples) to the supervision platforms whose interval is due",
    triggers: [{ type: 'schedule', expression: 'rate(5 minutes)' }],
    calls: CALLS_NONE,
    grants: [readPartners, { table: 'stations', access: 'read' }, { table: 'process-samples', access: 'read' }, supervisionLane],
    timeoutSeconds: 120,
    memoryMb: 1024,
  },
];
