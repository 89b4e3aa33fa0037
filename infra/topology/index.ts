/**
 * THE topology: every table, queue and function of the platform, declared once (one file per
 * service, composed here). The CDK stack and the local runtime both read this; neither adds
 * wiring of its own.
 */

import { appFunctions } from './app.ts';
import { baseinfoFunctions, baseinfoQueues, baseinfoTables } from './baseinfo.ts';
import { chargingFunctions, chargingQueues, chargingTables } from './charging.ts';
import { dxpBuckets, dxpFunctions, dxpQueues, dxpTables } from './dxp.ts';
import { evcsFunctions, evcsTables } from './evcs.ts';
import { invoiceFunctions, invoiceQueues } from './invoices.ts';
import { mspFunctions } from './msp.ts';
import { opsFunctions } from './ops.ts';
import { parkingFunctions, parkingQueues, parkingTables } from './parking.ts';
import { pilesFunctions, pilesQueues, pilesTables } from './piles.ts';
import { plugChargeFunctions } from './plug-charge.ts';
import { pushFunctions, pushQueues, pushTables } from './push.ts';
import { reconcileFunctions, reconcileQueues, reconcileTables } from './reconcile.ts';
import { roamingFunctions, roamingTables } from './roaming.ts';
import type { BucketDecl, FunctionDecl, QueueDecl, TableDecl, Topology } from './types.ts';

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
  ...dxpTables,
  ...parkingTables,
];

const buckets: readonly BucketDecl[] = [...dxpBuckets];

const queues: readonly QueueDecl[] = [
  ...baseinfoQueues,
  ...pilesQueues,
  ...chargingQueues,
  ...pushQueues,
  ...reconcileQueues,
  ...parkingQueues,
  ...dxpQueues,
  ...invoiceQueues,
];

export const functions: readonly FunctionDecl[] = [
  ...evcsFunctions,
  ...baseinfoFunctions,
  ...pilesFunctions,
  ...chargingFunctions,
  ...pushFunctions,
  ...reconcileFunctions,
  ...roamingFunctions,
  ...dxpFunctions,
  ...mspFunctions,
  ...invoiceFunctions,
  ...appFunctions,
  ...opsFunctions,
  ...parkingFunctions,
  ...plugChargeFunctions,
];

export const topology: Topology = { tables, queues, functions, buckets };
