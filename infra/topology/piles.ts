/**
 * The pile side (L0): the gateway that hands PileCommandRequested to the piles. Pile → platform
 * events (status, session started/stopped, meter values) are published by the piles themselves
 * (IoT rules in AWS, the simulator locally) and consumed by baseinfo and charging.
 *
 * The local simulator's admin routes (`/local/sim/...`) are NOT declared here: they exist only in
 * the local runtime (infra/local/simulator) and are never deployed.
 */

import { PileCommandRequested } from '../../events/piles.ts';
import type { FunctionDecl, QueueDecl, TableDecl } from './types.ts';

export const pilesTables: readonly TableDecl[] = [];

export const pilesQueues: readonly QueueDecl[] = [
  {
    name: 'pile-commands',
    description: 'Start/stop commands for the piles (PileCommandRequested); a command the transport cannot hand over ends in the DLQ',
    tier: 'L0',
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    subscribe: [PileCommandRequested.pattern()],
    dlqRetentionDays: 14,
  },
];

export const pilesFunctions: readonly FunctionDecl[] = [
  {
    id: 'pile-gateway',
    service: 'piles',
    entry: 'functions/piles/pile-gateway.ts',
    tier: 'L0',
    description: 'Hands pile commands to the piles: AWS IoT Core MQTT evcs/piles/<ConnectorID>/commands (QoS 1); the simulator locally',
    triggers: [{ type: 'queue', queue: 'pile-commands', batchSize: 10 }],
    grants: [{ iot: 'publish' }],
  },
];
