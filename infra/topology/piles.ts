/**
 * The pile side (L0): the gateway that hands PileCommandRequested to the piles. Pile → platform
 * events (status, session started/stopped, meter values) are published by the piles themselves
 * (IoT rules in AWS, the simulator locally) and consumed by baseinfo and charging.
 *
 * The local simulator's admin routes (`/local/sim/...`) are NOT declared here: they exist only in
 * the local runtime (infra/local/simulator) and are never deployed.
 */

import { PileCommandsQueue } from '../../events/queues.ts';
import type { FunctionDecl, QueueDecl, TableDecl } from './types.ts';

export const pilesTables: readonly TableDecl[] = [];

export const pilesQueues: readonly QueueDecl[] = [PileCommandsQueue.decl];

export const pilesFunctions: readonly FunctionDecl[] = [
  {
    id: 'pile-gateway',
    service: 'piles',
    entry: 'functions/piles/pile-gateway.ts',
    tier: 'L0',
    description: 'Hands pile commands to the piles: AWS IoT Core MQTT evcs/piles/<ConnectorID>/commands (QoS 1); the simulator locally',
    triggers: [{ type: 'queue', queue: PileCommandsQueue.name, batchSize: 10 }],
    grants: [{ iot: 'publish' }],
  },
];
