/**
 * The status pipeline's one step: pile status reports (PileStatusChanged) → each connector's live
 * status, versioned so that a late, older report never overwrites a newer one → a
 * ConnectorStatusChanged event for every REAL change (newer AND different in status, park or lock
 * status). Duplicates and stale reports change nothing and emit nothing.
 *
 * Batched: the reports of one SQS batch cost one BatchGet of the connector refs (cached per warm
 * Lambda), one strongly consistent BatchGet of the connectors' statuses, ONE compare-and-set per
 * connector (its newest report; the reports between are applied in memory by the same rules,
 * shared/domain/connector-status.ts) — sent together: one by one in parallel for a few, as
 * TransactWriteItems of up to 100 for a burst (writeConnectorStatuses) — PutEvents of the changes
 * in tens (in parallel), and the clearing of the announcement marks, batched the same way. A lost
 * compare-and-set re-reads that connector alone.
 *
 * No change is lost: the write marks the connector's last change "pending announcement" and the
 * mark is cleared only after the events are published, so when publishing fails the records are
 * retried (SQS) and the retry — which finds its versions already stored — publishes the pending
 * change.
 */
import { logger } from '#powertools';
import { ConnectorStatusChanged } from '../../events/baseinfo.ts';
import type { DetailOf } from '../../events/define.ts';
import type { ConnectorStatus, PileStatusChanged } from '../../events/piles.ts';
import { publish } from '../bus/publish.ts';
import {
  planStatusReports,
  type ReportOutcome,
  type StatusChange,
  type StatusPlan,
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
  type StatusCas,
  writeConnectorStatus,
  writeConnectorStatuses,
} from '../store/stations.ts';

export type IngestResult = ReportOutcome | 'unknown-connector';

type Report = DetailOf<typeof PileStatusChanged>;

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
  v: VersionedStatus;
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
}

const versioned = (r: Report): VersionedStatus => ({
  status: r.status,
  parkStatus: r.parkStatus,
  lockStatus: r.lockStatus,
  version: statusVersion(r.observedAt, r.seq),
});

type Stored = Awaited<ReturnType<typeof getConnectorStatus>>;

/** what a group's reports decide against a stored status: the plan and, when something is newer, the compare-and-set to make */
const decide = (g: Group, cur: Exclude<Stored, 'unknown'>, now: number): { plan: StatusPlan; cas?: StatusCas } => {
  const plan = planStatusReports(
    cur,
    g.items.map((x) => x.v),
    now,
  );
  const write = plan.write;
  const newest = write && g.items.find((x) => x.v.version === write.version);
  if (!write || !newest) return { plan };
  const last = plan.changes.at(-1);
  const mark = last ? { version: last.version, previous: last.previousStatus ?? -1 } : undefined;
  const w = { stationId: g.ref.stationId, connectorId: g.connectorId, ...write, observedAt: newest.r.observedAt };
  return { plan, cas: { w, expected: cur?.version, ...(mark ? { mark } : {}) } };
};

const appliedOf = (g: Group, plan: StatusPlan, cas: StatusCas | undefined): Applied => ({
  ...g,
  plan,
  ...(cas?.mark ? { pending: cas.mark.version } : {}),
});

/** decide and write one connector's reports alone, re-reading after a lost race; undefined: no such connector at the ref's station */
const applyGroup = async (g: Group, now: () => number): Promise<Applied | undefined> => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const cur = await getConnectorStatus(g.ref.stationId, g.connectorId);
    if (cur === 'unknown') return undefined;
    const { plan, cas } = decide(g, cur, now());
    if (!cas || (await writeConnectorStatus(cas.w, cas.expected, cas.mark))) return appliedOf(g, plan, cas);
  }
  throw new Error(`connector ${g.connectorId}: status write lost 20 races in a row`);
};

const changeEvent = (g: Applied, c: StatusChange): DetailOf<typeof ConnectorStatusChanged> => ({
  StationID: g.ref.stationId,
  ConnectorID: g.connectorId,
  status: c.status,
  parkStatus: c.parkStatus,
  lockStatus: c.lockStatus,
  ...(c.previousStatus !== undefined ? { previousStatus: c.previousStatus as ConnectorStatus } : {}),
  observedAt: g.items.find((x) => x.v.version === c.version)?.r.observedAt ?? new Date(Math.floor(c.version / 1000)).toISOString(),
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

  // 2. decide from what was read, and write every connector's compare-and-set together (batched:
  //    shared/store/stations.ts); a connector whose write lost a race, or that is not at its cached
  //    station any more, goes again alone
  const applied: Applied[] = [];
  const alone: Group[] = [];
  const first: { g: Group; plan: StatusPlan; cas: StatusCas }[] = [];
  const decidedAt = now();
  for (const g of known) {
    const cur = statuses.has(g.connectorId) ? statuses.get(g.connectorId) : 'unknown';
    if (cur === 'unknown') {
      alone.push(g);
      continue;
    }
    const { plan, cas } = decide(g, cur, decidedAt);
    if (cas) first.push({ g, plan, cas });
    else applied.push(appliedOf(g, plan, undefined));
  }
  try {
    const ok = await writeConnectorStatuses(first.map((x) => x.cas));
    first.forEach((x, k) => {
      if (ok[k]) applied.push(appliedOf(x.g, x.plan, x.cas));
      else alone.push(x.g);
    });
  } catch (err) {
    for (const x of first) fail(x.g.connectorId, x.g.items, err);
  }
  await Promise.all(
    alone.map(async (g) => {
      try {
        let a = await applyGroup(g, now);
        if (!a) {
          // the connector may have moved to another station since the ref was cached
          const moved = await getConnectorRef(g.connectorId, { fresh: true });
          if (moved) a = await applyGroup({ ...g, ref: moved }, now);
        }
        if (a) applied.push(a);
        else unknown(g.connectorId, g.items);
      } catch (err) {
        fail(g.connectorId, g.items, err);
      }
    }),
  );

  // 3. announce every change (and a pending change a retry owes; PutEvents calls in parallel), then
  //    clear the marks (batched; the newest mark only: a newer write already replaced an older one)
  const withEvents = applied.filter((g) => g.plan.changes.length > 0 || g.plan.reannounce);
  const events = withEvents.flatMap((g) => [
    ...(g.plan.reannounce ? [changeEvent(g, g.plan.reannounce)] : []),
    ...g.plan.changes.map((c) => changeEvent(g, c)),
  ]);
  let published = true;
  try {
    const chunks: (typeof events)[] = [];
    for (let i = 0; i < events.length; i += 10) chunks.push(events.slice(i, i + 10));
    await Promise.all(chunks.map((c) => publish(ConnectorStatusChanged, c)));
  } catch (err) {
    published = false;
    for (const g of withEvents) fail(g.connectorId, g.items, err);
  }
  if (published) {
    const marks = withEvents.flatMap((g) => {
      const version = g.pending ?? g.plan.reannounce?.version;
      return version === undefined ? [] : [{ stationId: g.ref.stationId, connectorId: g.connectorId, version }];
    });
    try {
      await markAnnouncedMany(marks);
    } catch (err) {
      for (const g of withEvents) fail(g.connectorId, g.items, err);
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
