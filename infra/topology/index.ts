/**
 * THE topology: every table, queue and function of the platform, declared once (one file per
 * service, composed here). The CDK stack and the local runtime both read this; neither adds
 * wiring of its own.
 */

import { baseinfoFunctions, baseinfoQueues, baseinfoTables } from './baseinfo.ts';
import { chargingFunctions, chargingQueues, chargingTables } from './charging.ts';
import { evcsFunctions, evcsTables } from './evcs.ts';
import { opsFunctions } from './ops.ts';
import { pilesFunctions, pilesQueues, pilesTables } from './piles.ts';
import { pushFunctions, pushQueues, pushTables } from './push.ts';
import { reconcileFunctions, reconcileQueues, reconcileTables } from './reconcile.ts';
import { roamingFunctions, roamingTables } from './roaming.ts';
import type { FunctionDecl, QueueDecl, TableDecl, Topology } from './types.ts';

export { TCEC_BASE_PATH } from './helpers.ts';
export * from './types.ts';

const tables: readonly TableDecl[] = [
  ...evcsTables,
  ...baseinfoTables,
  ...pilesTables,
  ...chargingTables,
  ...pushTables,
  ...reconcileTables,
  ...roamingTables,
];

const queues: readonly QueueDecl[] = [...baseinfoQueues, ...pilesQueues, ...chargingQueues, ...pushQueues, ...reconcileQueues];

export const functions: readonly FunctionDecl[] = [
  ...evcsFunctions,
  ...baseinfoFunctions,
  ...pilesFunctions,
  ...chargingFunctions,
  ...pushFunctions,
  ...reconcileFunctions,
  ...roamingFunctions,
  ...opsFunctions,
];

export const topology: Topology = { tables, queues, functions };
