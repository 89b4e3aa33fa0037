/**
 * Events of the parking service (issue 15): a ground lock recorded a new state; a dropped lock whose
 * raise failed at the car park's gateway is due to be raised again. The connector
 * status ingest (queue `connector-status`) folds it into the connector's live status as its
 * LockStatus — the same versioned pipeline, announcement and push ordering as pile statuses.
 */
import * as z from 'zod/mini';
import { defineEvent } from './define.ts';
import { LockStatus } from './piles.ts';

const PARKING_SOURCE = 'evcs.parking';

export const GroundLockChanged = /* @__PURE__ */ defineEvent({
  source: PARKING_SOURCE,
  detailType: 'GroundLockChanged',
  version: 1,
  description:
    "A ground lock recorded a new state (dropped, raised, faulted): its connector's LockStatus (10 unlocked, 50 locked, 0 unknown)",
  detail: () =>
    z.object({
      StationID: z.string().check(z.minLength(1), z.maxLength(20)),
      ConnectorID: z.string().check(z.minLength(1), z.maxLength(26)),
      LockNum: z.string().check(z.minLength(1), z.maxLength(16)),
      lockStatus: LockStatus,
      /** the lock's revision: +1 with every state it records (orders its reports; a redelivery repeats it); 0 its initial state */
      rev: z.int().check(z.gte(0)),
      /** when the platform recorded the state */
      at: z.iso.datetime({ offset: true }),
    }),
  sample: {
    StationID: 'FX0001',
    ConnectorID: 'FX0001E01C1',
    LockNum: 'L01',
    lockStatus: 10,
    rev: 3,
    at: '2026-11-23T01:30:47.000Z',
  },
});

/**
 * A dropped lock whose car has left could not be raised (the car park's gateway unreachable, timed
 * out, or the lock faulted): sent by parking-lock-raise straight to the `parking-waivers` queue (never
 * through the bus), whose consumer retries the raise with backoff, then parks it in the DLQ (alarm)
 * for `evcs dlq replay --queue parking-waivers`. It raises only the drop it names (`dropCode`).
 */
export const GroundLockRaiseDue = /* @__PURE__ */ defineEvent({
  source: PARKING_SOURCE,
  detailType: 'GroundLockRaiseDue',
  version: 1,
  description: 'A dropped ground lock whose car has left is still to be raised (the first raise failed at the car park)',
  detail: () =>
    z.object({
      StationID: z.string().check(z.minLength(1), z.maxLength(20)),
      ConnectorID: z.string().check(z.minLength(1), z.maxLength(26)),
      LockNum: z.string().check(z.minLength(1), z.maxLength(16)),
      /** the drop to end: a lock dropped again since (another code) is not raised */
      dropCode: z.int().check(z.gte(100_000), z.lte(999_999)),
      /** the first failure, in words (no body beyond a short excerpt) */
      issue: z.string().check(z.maxLength(200)),
      /** when the car left */
      at: z.iso.datetime({ offset: true }),
    }),
  sample: {
    StationID: 'FX0001',
    ConnectorID: 'FX0001E01C1',
    LockNum: 'L01',
    dropCode: 482913,
    issue: 'gateway timed out after 2000 ms',
    at: '2026-11-23T01:30:47.000Z',
  },
});
