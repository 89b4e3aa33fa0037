/**
 * Ground locks (地锁, DiDi 1.4.0): query_ground_locks, query_ground_lock_auth, query_drop_lock,
 * query_drop_lock_result, and the raise after the car has left (a connector back to Available).
 * Rules in shared/domain/ground-locks.ts, states in shared/store/parking.ts, the devices behind the
 * car park's gateway (shared/parking/car-park-gateway.ts).
 *
 * Every state a lock records (dropped 10, raised 50, faulted 0) is announced as GroundLockChanged
 * with the lock's revision: the connector status ingest folds it into the connector's LockStatus
 * (query_station_status, notification_stationStatus) like a pile status. A publish that fails
 * fails the call (the partner's retry of the drop, or the raise's retry, announces the state again;
 * the ingest ignores a revision it already stored). Cost per lock change: one PutEvents entry, the
 * ingest's reads and one conditional write, and the pushes to the partners that see the connector.
 */
import { randomInt } from 'node:crypto';
import { logger, MetricUnit, metrics } from '#powertools';
import { GroundLockChanged, GroundLockRaiseDue } from '../../events/parking.ts';
import { ParkingWaiversQueue } from '../../events/queues.ts';
import { publish } from '../bus/publish.ts';
import { sendEvent } from '../bus/send.ts';
import { config } from '../config.ts';
import { ConnectorState } from '../domain/charging.ts';
import { isStationGranted } from '../domain/grants.ts';
import {
  carLeft,
  DropFail,
  dropCodeFrom,
  dropDecision,
  dropInfo,
  failedDropOf,
  type LockState,
  LockStatus,
  type ParkingSpace,
} from '../domain/ground-locks.ts';
import { GatewayError, moveLock } from '../parking/car-park-gateway.ts';
import { getConnectorView } from '../store/connector-view.ts';
import { getConnectorHolder, getLock, recordDrop, recordDropFailure, recordFault, recordRaised } from '../store/parking.ts';
import type { Partner } from '../store/partners.ts';
import { getConnectorStatus, getStationMeta, getStationMetaRecent } from '../store/stations.ts';
import type { RequestData, ResponseInput } from '../tcec/interfaces.ts';
import { Ret, TcecError } from '../tcec/ret.ts';

/**
 * How old a station's extension settings the lock raise may act on (per warm Lambda): a car park
 * configured or removed on a station by another process's import counts for raises within this time.
 */
const META_MAX_AGE_MS = 30_000;

interface Site {
  spaces: readonly ParkingSpace[];
  gatewayUrl: string;
}

/** The station's parking spaces and gateway, when the partner may see the station and it has locks. */
const siteOf = async (partner: Partner, stationId: string): Promise<Site | undefined> => {
  if (!isStationGranted(partner, stationId)) return undefined;
  const ext = (await getStationMeta(stationId))?.extensions;
  if (!ext?.ParkingSpaces?.length || !ext.CarParkGatewayUrl) return undefined;
  return { spaces: ext.ParkingSpaces, gatewayUrl: ext.CarParkGatewayUrl };
};

export const groundLocks = async (
  partner: Partner,
  req: RequestData<'query_ground_locks'>,
): Promise<ResponseInput<'query_ground_locks'>> => {
  const site = await siteOf(partner, req.StationID);
  if (!site) return { groundLocks: [] };
  const states = await Promise.all(site.spaces.map((s) => getLock(req.StationID, s.LockNum)));
  return {
    groundLocks: site.spaces.map((s, i) => ({
      LockNum: s.LockNum,
      WorkplaceName: s.WorkplaceName,
      LockStatus: (states[i] as LockState).lockStatus,
      ConnectorID: s.ConnectorID,
    })),
  };
};

export const groundLockAuth = async (
  partner: Partner,
  req: RequestData<'query_ground_lock_auth'>,
): Promise<ResponseInput<'query_ground_lock_auth'>> => ({
  LocksAuth: await Promise.all(req.StationIDs.map(async (id) => ({ StationID: id, Auth: (await siteOf(partner, id)) !== undefined }))),
});

/** Announce a lock's recorded state to the connector status pipeline. */
const announceLock = async (stationId: string, space: ParkingSpace, lockStatus: LockStatus, rev: number, at: Date): Promise<void> => {
  await publish(GroundLockChanged, {
    StationID: stationId,
    ConnectorID: space.ConnectorID,
    LockNum: space.LockNum,
    lockStatus,
    rev,
    at: at.toISOString(),
  });
  metrics.addMetric('LockStatusAnnounced', MetricUnit.Count, 1);
};

type DropAnswer = ResponseInput<'query_drop_lock'>;
const refused = (failReason: number): DropAnswer => {
  metrics.addMetric('LockDropsRefused', MetricUnit.Count, 1);
  logger.info('lock drop refused', { FailReason: failReason });
  return { result: false, FailReason: failReason };
};

export const dropLock = async (partner: Partner, req: RequestData<'query_drop_lock'>, now: Date): Promise<DropAnswer> => {
  logger.appendKeys({ StationID: req.StationID, LockNum: req.LockNum });
  const site = await siteOf(partner, req.StationID);
  const space = site?.spaces.find((s) => s.LockNum === req.LockNum);
  if (!site || !space) return refused(DropFail.UnknownLock);
  logger.appendKeys({ ConnectorID: space.ConnectorID });

  const [lock, view, holder] = await Promise.all([
    getLock(req.StationID, req.LockNum),
    getConnectorView(space.ConnectorID),
    getConnectorHolder(space.ConnectorID, now),
  ]);
  const decision = dropDecision({ lock, status: view?.status ?? 0, holder, operatorId: partner.operatorId });
  if (decision !== DropFail.None) return refused(decision);
  // the same partner again while its drop is in force: the same code, the lock is not moved twice
  // (its state announced again: the first call may have failed to publish it; a repeat is ignored)
  if (lock.drop && lock.lockStatus === LockStatus.Dropped) {
    if (lock.rev !== undefined) await announceLock(req.StationID, space, lock.lockStatus, lock.rev, now);
    return { result: true, DropCode: lock.drop.code, FailReason: 0 };
  }

  const code = lock.drop?.code ?? dropCodeFrom(randomInt(0, 2 ** 31));
  try {
    await moveLock(site.gatewayUrl, req.LockNum, 'drop', req.StationID);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    if (!err.faulted) {
      // the car park's system is down or timed out: nothing of the lock changes (no code, no state,
      // no revision); the attempt is noted for query_drop_lock_result, the partner may try again
      await recordDropFailure(req.StationID, req.LockNum, { OperatorID: partner.operatorId, at: now.toISOString(), issue: err.message });
      metrics.addMetric('LockGatewayUnreachable', MetricUnit.Count, 1);
      logger.warn('lock drop failed: car park unreachable; nothing changed', { issue: err.message });
      return refused(DropFail.Unreachable);
    }
    const rev = await recordFault(req.StationID, req.LockNum, err.message, now.toISOString());
    logger.warn('lock drop failed at the gateway', { issue: err.message });
    await announceLock(req.StationID, space, LockStatus.Unknown, rev, now);
    return refused(DropFail.Faulted);
  }
  const rev = await recordDrop(req.StationID, req.LockNum, {
    code,
    OperatorID: partner.operatorId,
    at: now.toISOString(),
    // -1: the connector had not reported, so no departure came before the drop
    afterVersion: view?.version ?? -1,
  });
  if (rev === undefined) return refused(DropFail.Taken);
  await announceLock(req.StationID, space, LockStatus.Dropped, rev, now);
  metrics.addMetric('LockDrops', MetricUnit.Count, 1);
  logger.info('lock dropped');
  return { result: true, DropCode: code, FailReason: 0 };
};

export const dropLockResult = async (
  partner: Partner,
  req: RequestData<'query_drop_lock_result'>,
): Promise<ResponseInput<'query_drop_lock_result'>> => {
  const site = await siteOf(partner, req.StationID);
  if (!site?.spaces.some((s) => s.LockNum === req.LockNum)) throw new TcecError(Ret.BizError, 'LockNum: no such lock at this station');
  const lock = await getLock(req.StationID, req.LockNum);
  // another partner's drop is not the caller's to see: for it, there is no drop in force
  const own = lock.drop?.OperatorID === partner.operatorId ? lock.drop : undefined;
  if (req.DropCode !== undefined && req.DropCode !== own?.code)
    throw new TcecError(Ret.BizError, 'DropCode: spent or not issued for this lock');
  // the caller's last drop failed because the car park's system was unreachable: said so
  const failed = failedDropOf(lock, partner.operatorId);
  return {
    LockNum: req.LockNum,
    DropCode: own?.code ?? 0,
    DropInfo: failed?.DropInfo ?? dropInfo(lock),
    LockStatus: lock.lockStatus,
    ...(failed ? { FailReason: failed.FailReason } : {}),
  };
};

/**
 * A connector's status changed: when the car has left a space whose lock is dropped, raise it (the
 * drop's code is spent). A lock with no drop in force has its state announced again (a retry whose
 * first attempt failed to publish the raise; a lock never moved: its initial state, raised, so that
 * the connector's LockStatus is the lock's from its first status on). A raise that fails at the car
 * park (unreachable, timed out, or the lock faulted: that is recorded and announced) is handed to the
 * `parking-waivers` queue (GroundLockRaiseDue, first retry after PARKING_RETRY_SECONDS): its consumer
 * retries with backoff, then the DLQ (alarm), then `evcs dlq replay --queue parking-waivers`
 * (raiseDueLock). Only if that hand-over fails does this throw (the event's own retries, then its
 * on-failure DLQ). A late "available" raises nothing: one from before the drop (its version not
 * above the connector's version when the lock dropped) is not the drop's car leaving, and after a
 * car is back on the space (the live status no longer available) that car's departure raises it.
 * No order is ever read or written.
 */
export const raiseAfterCarLeft = async (
  e: { StationID: string; ConnectorID: string; status: number; previousStatus?: number | undefined; version?: number | undefined },
  now: Date,
): Promise<boolean> => {
  if (!carLeft(e.status, e.previousStatus)) return false;
  // every "available" report asks: a fleet's boot reads each station once, not once per connector
  const ext = (await getStationMetaRecent(e.StationID, META_MAX_AGE_MS))?.extensions;
  const space = ext?.ParkingSpaces?.find((s) => s.ConnectorID === e.ConnectorID);
  if (!space || !ext?.CarParkGatewayUrl) return false;
  const lock = await getLock(e.StationID, space.LockNum);
  if (!lock.drop) {
    // nothing to raise: its state is announced again (a failed publish of the raise, or the lock's
    // initial state — revision 0, raised — when its connector first reports available)
    await announceLock(e.StationID, space, lock.lockStatus, lock.rev ?? 0, now);
    return false;
  }
  logger.appendKeys({ StationID: e.StationID, LockNum: space.LockNum, ConnectorID: e.ConnectorID });
  // a departure from before the drop (an event delivered late, or an invocation retried) is not this drop's car leaving
  if (e.version !== undefined && lock.drop.afterVersion !== undefined && e.version <= lock.drop.afterVersion) {
    logger.info('a departure from before the drop: the lock stays down for the car it was dropped for', {
      version: e.version,
      dropAfter: lock.drop.afterVersion,
    });
    return false;
  }
  // events may reach the rule out of order: a late "available" after a car came back must not raise the
  // lock under that car. The live status is the newest (stored before any announcement): one strong read,
  // made only when a drop is about to be raised.
  const live = await getConnectorStatus(e.StationID, e.ConnectorID);
  if (live === 'unknown' || (live !== undefined && live.status !== ConnectorState.Idle)) {
    logger.info('car left, but a newer status says a car is on the space: the lock stays down until it leaves', {
      status: live === 'unknown' ? 'unknown connector' : live.status,
    });
    return false;
  }
  try {
    return await raiseDrop(ext.CarParkGatewayUrl, e.StationID, space, lock.drop.code, now);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    await sendEvent(
      ParkingWaiversQueue,
      GroundLockRaiseDue,
      {
        StationID: e.StationID,
        ConnectorID: e.ConnectorID,
        LockNum: space.LockNum,
        dropCode: lock.drop.code,
        issue: err.message.slice(0, 200),
        at: now.toISOString(),
      },
      { id: `raise:${e.StationID}:${space.LockNum}:${lock.drop.code}`, delaySeconds: Math.min(900, config().PARKING_RETRY_SECONDS) },
    );
    metrics.addMetric('LockRaisesDeferred', MetricUnit.Count, 1);
    logger.warn('lock raise failed at the car park: retried from the parking-waivers queue', { issue: err.message });
    return false;
  }
};

/** Raise the lock at the gateway and spend the drop `code`; a GatewayError is thrown after a device fault is recorded and announced. */
const raiseDrop = async (gatewayUrl: string, stationId: string, space: ParkingSpace, code: number, now: Date): Promise<boolean> => {
  try {
    await moveLock(gatewayUrl, space.LockNum, 'raise', stationId);
  } catch (err) {
    if (err instanceof GatewayError && err.faulted) {
      const rev = await recordFault(stationId, space.LockNum, err.message, now.toISOString());
      await announceLock(stationId, space, LockStatus.Unknown, rev, now);
    }
    throw err;
  }
  const rev = await recordRaised(stationId, space.LockNum, code, now.toISOString());
  if (rev === undefined) return false;
  metrics.addMetric('LockRaises', MetricUnit.Count, 1);
  logger.info('lock raised after the car left');
  await announceLock(stationId, space, LockStatus.Raised, rev, now);
  return true;
};

export type RaiseOutcome = 'raised' | 'spent' | 'occupied' | 'gone';

/**
 * A raise still due (GroundLockRaiseDue, the parking-waivers queue's consumer; a retry or a replay):
 * raise the lock if the drop it names is still in force and the space is still free. A drop already
 * spent (raised meanwhile) or replaced by a newer one is left alone ('spent'); a car back on the
 * space (its connector not available) keeps the lock down until it leaves — that departure raises
 * it ('occupied'); a lock no longer configured: 'gone'. A gateway failure throws (the queue retries
 * with backoff, then the DLQ).
 */
export const raiseDueLock = async (
  d: { StationID: string; ConnectorID: string; LockNum: string; dropCode: number },
  now: Date,
): Promise<RaiseOutcome> => {
  logger.appendKeys({ StationID: d.StationID, LockNum: d.LockNum, ConnectorID: d.ConnectorID });
  const ext = (await getStationMeta(d.StationID))?.extensions;
  const space = ext?.ParkingSpaces?.find((s) => s.LockNum === d.LockNum);
  if (!space || !ext?.CarParkGatewayUrl) return 'gone';
  const lock = await getLock(d.StationID, d.LockNum);
  if (lock.drop?.code !== d.dropCode) return 'spent';
  const view = await getConnectorView(space.ConnectorID);
  if (view && view.status !== ConnectorState.Idle) {
    logger.info('lock raise due, but a car is on the space again: it rises when that car leaves', { status: view.status });
    return 'occupied';
  }
  return (await raiseDrop(ext.CarParkGatewayUrl, d.StationID, space, d.dropCode, now)) ? 'raised' : 'spent';
};
