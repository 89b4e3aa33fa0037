/**
 * The status pipeline's one step: pile status reports (PileStatusChanged) and ground lock reports
 * (GroundLockChanged: the lock owns its connector's LockStatus) → each connector's live
 * status, versioned so that a late, older report never overwrites a newer one → a
 * ConnectorStatusChanged event for every REAL change (newer AND different in status, park or lock
 * status). Duplicates and stale reports change nothing and emit nothing.
 *
 * Batched: the reports of one SQS batch cost one BatchGet of the connector refs (cached per warm
 * Lambda), one strongly consistent BatchGet of the connectors' statuses, ONE compare-and-set per
 * connector (its newest report; the reports between are applied in memory by the same rules,
 * shared/domain/connector-status.ts) — all of them in one TransactWriteItems (a lone one: a plain
 * UpdateItem) — PutEvents of the changes in tens, and one transaction clearing the announcement
 * marks. A lost compare-and-set cancels only itself: that connector is re-read and decided again.
 *
 * No change is lost: the write marks the connector's last change "pending announcement" and the
 * mark is cleared only after the events are published, so when publishing fails the records are
 * retried (SQS) and the retry — which finds its versions already stored — publishes the pending
 * change.
 */
import { logger } from '#powertools';
import { ConnectorStatusChanged } from '../../events/baseinfo.ts';
import type { DetailOf } from '../../events/define.ts';
import type { GroundLockChanged } from '../../events/parking.ts';
import type { ConnectorStatus, PileStatusChanged } from '../../events/piles.ts';
import { publish } from '../bus/publish.ts';
import {
  type LockReport,
  planStatusReports,
  type ReportOutcome,
  type StatusChange,
  type StatusPlan,
  type StoredStatus,
  statusVersion,
  type VersionedStatus,
} from '../domain/connector-status.ts';
import {
  type ConnectorRef,
  getConnectorRef,
  getConnectorRefs,
  getConnectorStatus,
  getConnectorStatuses,
  markAnnouncedMany,
  type PendingMark,
  type StatusWrite,
  writeConnectorStatuses,
} from '../store/stations.ts';

export type IngestResult = ReportOutcome | 'unknown-connector';

type PileReport = DetailOf<typeof PileStatusChanged>;
type LockChange = DetailOf<typeof GroundLockChanged>;
type Report = PileReport | LockChange;
/** what the ingest takes: a pile's status report or a ground lock's */
export type StatusReport = Report;
const isLockChange = (r: Report): r is LockChange => 'rev' in r;

export interface BatchOutcome {
  /** per report, in the given order; undefined: its connector failed (`failed`) */
  results: (IngestResult | undefined)[];
  /** indexes of the reports to retry (their connector's write, publish or mark failed) */
  failed: number[];
}

interface Item {
  /** index in the batch */
  i: number;
  r: Report;
  v: VersionedStatus | LockReport;
}

/** one connector's reports of the batch, once its station is known */
interface Group {
  connectorId: string;
  items: Item[];
  ref: ConnectorRef;
}

interface Applied extends Group {
  plan: StatusPlan;
  /** the version whose change this delivery left pending (cleared after publishing) */
  pending?: number;
  /** the lock revision whose change this delivery left pending */
  lockPending?: number;
}

const versioned = (r: Report): VersionedStatus | LockReport =>
  isLockChange(r)
    ? { lockStatus: r.lockStatus, lockVersion: r.rev }
    : { status: r.status, parkStatus: r.parkStatus, lockStatus: r.lockStatus, version: statusVersion(r.observedAt, r.seq) };

/** the pile report of this version among the connector's items */
const pileItem = (g: Group, version: number) =>
  g.items.find((x): x is Item & { r: PileReport } => !isLockChange(x.r) && 'version' in x.v && x.v.version === version);

type Stored = Awaited<ReturnType<typeof getConnectorStatus>>;

interface Decided {
  plan: StatusPlan;
  write?: { w: StatusWrite; expected: number | undefined; mark?: PendingMark; expectedLock?: number | undefined; lockMark?: number };
}

/** one connector's reports against its stored status: the plan, and the one compare-and-set to make (if any) */
const decide = (g: Group, cur: StoredStatus | undefined, now: number): Decided => {
  const plan = planStatusReports(
    cur,
    g.items.map((x) => x.v),
    now,
  );
  const write = plan.write;
  if (!write) return { plan };
  const newest = write.pile ? pileItem(g, write.version) : undefined;
  if (write.pile && !newest) return { plan };
  const last = plan.changes.filter((c) => c.lockVersion === undefined).at(-1);
  const mark = last ? { version: last.version, previous: last.previousStatus ?? -1 } : undefined;
  const lockMark = plan.changes.filter((c) => c.lockVersion !== undefined).at(-1)?.lockVersion;
  const { pile, lock, status, parkStatus, lockStatus, version } = write;
  const w: StatusWrite = {
    stationId: g.ref.stationId,
    connectorId: g.connectorId,
    status,
    parkStatus,
    lockStatus,
    version,
    observedAt: newest?.r.observedAt ?? '',
    pile,
    lock,
  };
  return {
    plan,
    write: {
      w,
      expected: cur?.version,
      expectedLock: cur?.lockVersion,
      ...(mark ? { mark } : {}),
      ...(lockMark !== undefined ? { lockMark } : {}),
    },
  };
};

/**
 * Decide and write every connector's reports: one compare-and-set per connector, all of them in
 * transactions of up to 100 (shared/store/stations.ts writeConnectorStatuses). A connector whose
 * stored version moved meanwhile is re-read (one BatchGet for all such) and decided again; one not
 * at the station its ref names is looked up afresh (it may have moved). Calls `done` / `gone` /
 * `failed` per connector.
 */
const applyGroups = async (
  groups: readonly { g: Group; cur: Stored }[],
  now: () => number,
  on: { done: (a: Applied) => void; gone: (g: Group) => void; failed: (g: Group, err: unknown) => void },
): Promise<void> => {
  let todo = [...groups];
  const relocated = new Set<string>();
  for (let round = 0; todo.length; round++) {
    if (round >= 20) {
      for (const { g } of todo) on.failed(g, new Error(`connector ${g.connectorId}: status write lost 20 races in a row`));
      return;
    }
    const next: { g: Group; cur: Stored }[] = [];
    const writes: { g: Group; d: Decided & { write: NonNullable<Decided['write']> } }[] = [];
    for (const { g, cur } of todo) {
      if (cur === 'unknown') {
        if (relocated.has(g.connectorId)) {
          on.gone(g);
          continue;
        }
        // the connector may have moved to another station since the ref was cached
        relocated.add(g.connectorId);
        try {
          const moved = await getConnectorRef(g.connectorId, { fresh: true });
          if (!moved) on.gone(g);
          else next.push({ g: { ...g, ref: moved }, cur: await getConnectorStatus(moved.stationId, g.connectorId) });
        } catch (err) {
          on.failed(g, err);
        }
        continue;
      }
      const d = decide(g, cur, now());
      if (d.write) writes.push({ g, d: { ...d, write: d.write } });
      else on.done({ ...g, plan: d.plan });
    }
    if (writes.length) {
      try {
        const ok = await writeConnectorStatuses(writes.map((x) => x.d.write));
        const lost = writes.filter((_, k) => !ok[k]);
        writes.forEach((x, k) => {
          if (ok[k])
            on.done({
              ...x.g,
              plan: x.d.plan,
              ...(x.d.write.mark ? { pending: x.d.write.mark.version } : {}),
              ...(x.d.write.lockMark !== undefined ? { lockPending: x.d.write.lockMark } : {}),
            });
        });
        if (lost.length) {
          const again = await getConnectorStatuses(lost.map((x) => ({ stationId: x.g.ref.stationId, connectorId: x.g.connectorId })));
          for (const x of lost) next.push({ g: x.g, cur: again.has(x.g.connectorId) ? again.get(x.g.connectorId) : 'unknown' });
        }
      } catch (err) {
        for (const x of writes) on.failed(x.g, err);
      }
    }
    todo = next;
  }
};

/** when the change was observed: its pile report's observedAt, its lock report's time */
const observedAtOf = (g: Applied, c: StatusChange): string | undefined =>
  c.lockVersion !== undefined
    ? g.items.find((x): x is Item & { r: LockChange } => isLockChange(x.r) && x.r.rev === c.lockVersion)?.r.at
    : pileItem(g, c.version)?.r.observedAt;

const changeEvent = (g: Applied, c: StatusChange): DetailOf<typeof ConnectorStatusChanged> => ({
  StationID: g.ref.stationId,
  ConnectorID: g.connectorId,
  status: c.status,
  parkStatus: c.parkStatus,
  lockStatus: c.lockStatus,
  ...(c.previousStatus !== undefined ? { previousStatus: c.previousStatus as ConnectorStatus } : {}),
  observedAt: observedAtOf(g, c) ?? new Date(Math.floor(c.version / 1000)).toISOString(),
  version: c.version,
});

/** Ingest the reports of one batch (any order, duplicates, several per connector). */
export const ingestPileStatuses = async (reports: readonly Report[], now: () => number = Date.now): Promise<BatchOutcome> => {
  const byConnector = new Map<string, Item[]>();
  reports.forEach((r, i) => {
    const items = byConnector.get(r.ConnectorID) ?? [];
    items.push({ i, r, v: versioned(r) });
    byConnector.set(r.ConnectorID, items);
  });
  const results: (IngestResult | undefined)[] = reports.map(() => undefined);
  const failed = new Set<number>();
  const fail = (connectorId: string, items: readonly Item[], err: unknown) => {
    logger.error('status reports of a connector failed; they are retried', {
      ConnectorID: connectorId,
      error: err instanceof Error ? err.message : String(err),
    });
    for (const x of items) failed.add(x.i);
  };
  const unknown = (connectorId: string, items: readonly Item[]) => {
    logger.warn('status report for an unknown connector dropped', { ConnectorID: connectorId });
    for (const x of items) results[x.i] = 'unknown-connector';
  };

  // 1. where each connector lives, then every known connector's stored status: two BatchGets
  const refs = await getConnectorRefs([...byConnector.keys()]);
  const known: Group[] = [];
  for (const [connectorId, items] of byConnector) {
    const ref = refs.get(connectorId);
    if (ref) known.push({ connectorId, items, ref });
    else unknown(connectorId, items);
  }
  const statuses = await getConnectorStatuses(known.map((g) => ({ stationId: g.ref.stationId, connectorId: g.connectorId })));

  // 2. decide and write: every connector's compare-and-set in one transaction (per 100)
  const applied: Applied[] = [];
  await applyGroups(
    known.map((g) => ({ g, cur: statuses.has(g.connectorId) ? statuses.get(g.connectorId) : 'unknown' })),
    now,
    {
      done: (a) => applied.push(a),
      gone: (g) => unknown(g.connectorId, g.items),
      failed: (g, err) => fail(g.connectorId, g.items, err),
    },
  );

  // 3. announce every change (and a pending change a retry owes), then clear the marks
  const withEvents = applied.filter((g) => g.plan.changes.length > 0 || g.plan.reannounce || g.plan.reannounceLock);
  const events = withEvents.flatMap((g) => [
    ...(g.plan.reannounce ? [changeEvent(g, g.plan.reannounce)] : []),
    ...(g.plan.reannounceLock ? [changeEvent(g, g.plan.reannounceLock)] : []),
    ...g.plan.changes.map((c) => changeEvent(g, c)),
  ]);
  let published = true;
  if (events.length) {
    try {
      await publish(ConnectorStatusChanged, events);
    } catch (err) {
      published = false;
      for (const g of withEvents) fail(g.connectorId, g.items, err);
    }
  }
  if (published) {
    // one clear per connector: this delivery's own mark, else the earlier one it re-announced (its own write replaced that)
    const marks = withEvents.flatMap((g) => {
      const version = g.pending ?? g.plan.reannounce?.version;
      const lockVersion = g.lockPending ?? g.plan.reannounceLock?.lockVersion;
      return version === undefined && lockVersion === undefined
        ? []
        : [{ g, m: { stationId: g.ref.stationId, connectorId: g.connectorId, version, lockVersion } }];
    });
    try {
      if (marks.length) await markAnnouncedMany(marks.map((x) => x.m));
    } catch (err) {
      for (const { g } of marks) fail(g.connectorId, g.items, err);
    }
  }
  for (const g of applied) {
    if (g.items.some((x) => failed.has(x.i))) continue;
    g.items.forEach((x, k) => {
      results[x.i] = g.plan.outcomes[k];
    });
  }
  return { results: results.map((r, i) => (failed.has(i) ? undefined : r)), failed: [...failed].sort((a, b) => a - b) };
};

/** One report alone (tests, tools): what it amounted to; throws when it must be retried. */
export const ingestPileStatus = async (r: Report, now: () => number = Date.now): Promise<IngestResult> => {
  const out = await ingestPileStatuses([r], now);
  const result = out.results[0];
  if (result === undefined) throw new Error(`status report for ${r.ConnectorID} failed; retry it`);
  return result;
};
