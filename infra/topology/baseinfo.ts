/** The baseinfo service: stations, equipment, connectors, prices, live connector status (L0). */

import { ConnectorStatusQueue } from '../../events/queues.ts';
import { putEvents, tcecInterface } from './helpers.ts';
import type { FunctionDecl, QueueDecl, TableDecl } from './types.ts';

export const baseinfoTables: readonly TableDecl[] = [
  {
    name: 'stations',
    description:
      'Stations, equipment, connectors, time-of-use policies and live connector status (access patterns in shared/store/stations.ts)',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    // the status ingest's delivery receipts (ANNOUNCED#…) expire; nothing else carries it
    ttlAttribute: 'ttl',
    indexes: [
      { name: 'byChange', partitionKey: { name: 'gsi1pk', type: 'S' }, sortKey: { name: 'gsi1sk', type: 'N' } },
      // a supervision platform's region (issue 13): AREA#<province> / <AreaCode>#<StationID>, META items only
      {
        name: 'byArea',
        partitionKey: { name: 'gsi2pk', type: 'S' },
        sortKey: { name: 'gsi2sk', type: 'S' },
        projection: ['stationId', 'effChangedAt'],
      },
    ],
  },
];

export const baseinfoQueues: readonly QueueDecl[] = [ConnectorStatusQueue.decl];

const readStations = { table: 'stations', access: 'read' } as const;

export const baseinfoFunctions: readonly FunctionDecl[] = [
  tcecInterface(
    'query_stations_info',
    'baseinfo',
    'L0',
    'T/CEC 102 §3.1: station information, paged, incremental by LastQueryTime, only granted stations',
    [readStations],
  ),
  tcecInterface('query_station_status', 'baseinfo', 'L0', 'T/CEC 102 §3.2: live connector status of up to 50 granted stations', [
    readStations,
  ]),
  tcecInterface(
    'query_station_stats',
    'baseinfo',
    'L0',
    'T/CEC 102 §3.4: energy per connector, equipment and station from finished orders',
    [readStations, { table: 'orders', access: 'read' }],
  ),
  tcecInterface('query_equip_business_policy', 'baseinfo', 'L0', "T/CEC 102 §3.6: a connector's time-of-use prices", [readStations]),
  {
    id: 'connector-status-ingest',
    service: 'baseinfo',
    entry: 'functions/baseinfo/connector-status-ingest.ts',
    tier: 'L0',
    description: 'Pile status reports → versioned live connector status → ConnectorStatusChanged on real changes',
    // batches of 10 without a batching window (a lone plug-in is ingested at once: query_equip_auth
    // sees it within ~100 ms), up to 10 batches at a time (a startup burst of ~2,000 reports)
    triggers: [{ type: 'queue', queue: ConnectorStatusQueue.name, batchSize: 10, maxConcurrency: 10 }],
    grants: [{ table: 'stations', access: 'readWrite' }, putEvents],
  },
];
