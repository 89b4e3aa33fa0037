/** Events of the baseinfo service. */
import * as z from 'zod/mini';
import { defineEvent } from './define.ts';
import { ConnectorStatus, LockStatus, ParkStatus } from './piles.ts';

const BASEINFO_SOURCE = 'evcs.baseinfo';

export const ConnectorStatusChanged = defineEvent({
  source: BASEINFO_SOURCE,
  detailType: 'ConnectorStatusChanged',
  version: 1,
  description: 'A connector status really changed (newer than the stored one and different); the push service fans it out',
  detail: z.object({
    StationID: z.string().check(z.minLength(1), z.maxLength(20)),
    ConnectorID: z.string().check(z.minLength(1), z.maxLength(26)),
    status: ConnectorStatus,
    parkStatus: ParkStatus,
    lockStatus: LockStatus,
    previousStatus: z.optional(ConnectorStatus),
    observedAt: z.iso.datetime({ offset: true }),
    /** monotonic per connector: a consumer drops anything not newer than what it has seen */
    version: z.int().check(z.gte(0)),
  }),
  sample: {
    StationID: 'ST0001',
    ConnectorID: '1010000000000000000000001',
    status: 3,
    parkStatus: 50,
    lockStatus: 50,
    previousStatus: 2,
    observedAt: '2026-11-23T01:30:47.000Z',
    version: 1763861447000042,
  },
});
