/**
 * The status pipeline's one step: pile status reports (PileStatusChanged) and ground lock reports
 * (GroundLockChanged: the lock owns its connector's LockStatus) → each connector's live
 * status, versioned so that a late, older report never overwrites a newer one → a
 * ConnectorStatusChanged event for every REAL change (newer AND different in status, park or lock
 * status). Duplicates and stale reports change nothing and emit nothing.
 *
 * Batched: the reports of one SQS batch cost one strongly consistent BatchGet of the connectors'
 * statuses (and, for reports without StationID, one BatchGet of the connector refs, cached per warm
 * Lambda), ONE compare-and-set per connector (its newest report; the reports between are applied in
 * memory by the same rules, shared/domain/connector-status.ts) — all of them in one
 * TransactWriteItems (a lone one: a plain UpdateItem) — PutEvents of the changes in tens, and one
 * receipt item for the whole delivery. A lost compare-and-set cancels only itself: that connector is
 * re-read and decided again.
 *
 * Exactly one announcement per change (issue 9 §5: one write per new status, not two):
 *   - the write marks the connector's change "pending announcement, by delivery D";
 *   - D publishes, then writes ONE receipt (ANNOUNCED#D) — where it used to clear every mark;
 *   - a publish that fails fails D's records: SQS redelivers them after the visibility timeout, the
 *     redelivery finds its versions stored, the mark pending past its grace and no receipt of D, and
 *     announces the change (then clears that mark: the rare path);
 *   - a duplicate of a published report (at-least-once delivery) finds D's receipt: nothing again;
 *   - a receipt that cannot be written is logged, not retried: the changes were published, and
 *     failing the records would make their redelivery announce them twice for certain;
 *   - a delivery one of whose write calls threw writes no receipt (that call may have committed marks
 *     by D it never published): it clears the marks it published one by one.
 */
import { randomBytes } from 'node:crypto';
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
  receiptsToCheck,
  type StatusChange,
  type StatusPlan,
  type StoredStatus,
  statusVersion,
  type VersionedStatus,
  withoutPublishedMarks,
} from '../domain/connector-status.ts';
import {
  announcedDeliveries,
  getConnectorRef,
  getConnectorRefs,
  getConnectorStatus,
  getConnectorStatuses,
  markAnnouncedMany,
  type PendingMark,
  putAnnounceReceipt,
  readConnectorStatuses,
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
  /** where it lives; whether it has a parking space with a ground lock (undefined: not known) */
  ref: { stationId: string; parkingSpace?: boolean | undefined };
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
  write?: {
    w: StatusWrite;
    expected: number | undefined;
    mark?: PendingMark;
    expectedLock?: number | undefined;
    lockMark?: number;
    by: string;
  };
}

/** one connector's reports against its stored status: the plan, and the one compare-and-set to make (if any; its marks by delivery `by`) */
const decide = (g: Group, cur: StoredStatus | undefined, now: number, by: string): Decided => {
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
      by,
    },
  };
};

/**
 * A stale report of a change still marked pending past its grace: did the delivery that marked it
 * publish? One BatchGet of those deliveries' receipts (only when there is such a report); a mark
 * whose receipt exists reads as cleared.
 */
const resolveMarks = async (entries: { g: Group; cur: Stored }[], now: number): Promise<{ g: Group; cur: Stored }[]> => {
  const ask = entries.flatMap(({ g, cur }) =>
    cur === 'unknown'
      ? []
      : receiptsToCheck(
          cur,
          g.items.map((x) => x.v),
          now,
        ),
  );
  if (!ask.length) return entries;
  const published = await announcedDeliveries(ask);
  return entries.map((e) => (e.cur === 'unknown' || e.cur === undefined ? e : { ...e, cur: withoutPublishedMarks(e.cur, published) }));
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
  by: string,
  on: {
    done: (a: Applied) => void;
    gone: (g: Group) => void;
    failed: (g: Group, err: unknown) => void;
    /** a write call threw: some of its compare-and-sets may have committed (marked by this delivery) all the same */
    writeThrew: () => void;
  },
): Promise<void> => {
  let todo = [...groups];
  const relocated = new Set<string>();
  for (let round = 0; todo.length; round++) {
    if (round >= 20) {
      for (const { g } of todo) on.failed(g, new Error(`connector ${g.connectorId}: status write lost 20 races in a row`));
      return;
    }
    try {
      todo = await resolveMarks(todo, now());
    } catch (err) {
      for (const { g } of todo) on.failed(g, err);
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
      const d = decide(g, cur, now(), by);
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
        on.writeThrew();
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
  // the lock raise's rule skips a connector known to have no parking space
  ...(g.ref.parkingSpace !== undefined ? { parkingSpace: g.ref.parkingSpace } : {}),
});

/** the station a report names (a lock's always; a pile's from version 2 of PileStatusChanged) */
const stationOf = (r: Report): string | undefined => r.StationID;

/** Ingest the reports of one batch (any order, duplicates, several per connector). */
export const ingestPileStatuses = async (reports: readonly Report[], now: () => number = Date.now): Promise<BatchOutcome> => {
  /** this delivery: its marks name it, its receipt says it published them */
  const by = randomBytes(12).toString('base64url');
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

  // 1. where each connector lives (the report says so, or its ref: a BatchGet of the cold ones), then its stored status: a BatchGet
  const named = new Map<string, string>();
  for (const [connectorId, items] of byConnector) {
    const stationId = items.map((x) => stationOf(x.r)).find((s) => s !== undefined);
    if (stationId !== undefined) named.set(connectorId, stationId);
  }
  const refs = await getConnectorRefs([...byConnector.keys()].filter((c) => !named.has(c)));
  const known: Group[] = [];
  for (const [connectorId, items] of byConnector) {
    const stationId = named.get(connectorId) ?? refs.get(connectorId)?.stationId;
    if (stationId !== undefined) known.push({ connectorId, items, ref: { stationId } });
    else unknown(connectorId, items);
  }
  const statuses = await readConnectorStatuses(known.map((g) => ({ stationId: g.ref.stationId, connectorId: g.connectorId })));

  // 2. decide and write: every connector's compare-and-set in one transaction (per 100)
  const applied: Applied[] = [];
  let writeThrew = false;
  await applyGroups(
    known.map((g) => {
      const read = statuses.get(g.connectorId);
      return read ? { g: { ...g, ref: { ...g.ref, parkingSpace: read.parkingSpace } }, cur: read.stored } : { g, cur: 'unknown' as const };
    }),
    now,
    by,
    {
      done: (a) => applied.push(a),
      gone: (g) => unknown(g.connectorId, g.items),
      failed: (g, err) => fail(g.connectorId, g.items, err),
      writeThrew: () => {
        writeThrew = true;
      },
    },
  );

  // 3. announce every change (and a pending change a retry owes), then this delivery's receipt (and clear the marks it re-announced)
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
    // this delivery's own marks: one receipt; an earlier delivery's mark it re-announced (unless its own write replaced it): cleared.
    // When a write call of this delivery threw, some of its compare-and-sets may have committed marks by this
    // delivery that were never published (their records fail and come back): a receipt would say they were,
    // so there is none — the marks this delivery did publish are cleared one by one instead (the rare path).
    const marked = withEvents.some((g) => g.pending !== undefined || g.lockPending !== undefined);
    const clears = withEvents.flatMap((g) => {
      const own = writeThrew;
      const version = g.pending === undefined ? g.plan.reannounce?.version : own ? g.pending : undefined;
      const lockVersion = g.lockPending === undefined ? g.plan.reannounceLock?.lockVersion : own ? g.lockPending : undefined;
      return version === undefined && lockVersion === undefined
        ? []
        : [{ stationId: g.ref.stationId, connectorId: g.connectorId, version, lockVersion }];
    });
    const [receipt, cleared] = await Promise.allSettled([
      marked && !writeThrew ? putAnnounceReceipt(by) : Promise.resolve(),
      clears.length ? markAnnouncedMany(clears) : Promise.resolve(),
    ]);
    for (const [what, r] of [
      ['receipt', receipt],
      ['re-announced marks', cleared],
    ] as const)
      if (r.status === 'rejected')
        logger.warn(`status changes published, ${what} not written: a later duplicate of them may announce them again`, {
          delivery: by,
          error: r.reason instanceof Error ? r.reason.message : String(r.reason),
        });
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
