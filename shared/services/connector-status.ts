/**
 * The status pipeline's one step: pile status reports (PileStatusChanged) → each connector's live
 * status, versioned so that a late, older report never overwrites a newer one → a
 * ConnectorStatusChanged event for every REAL change (newer AND different in status, park or lock
 * status). Duplicates and stale reports change nothing and emit nothing.
 *
 * Batched: the reports of one SQS batch cost one BatchGet of the connector refs (cached per warm
 * Lambda), one strongly consistent BatchGet of the connectors' statuses, ONE compare-and-set write
 * per connector (its newest report; the reports between are applied in memory by the same rules,
 * shared/domain/connector-status.ts), PutEvents of the changes in tens, and one write per changed
 * connector clearing its announcement mark. A lost compare-and-set re-reads that connector alone.
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
  markAnnounced,
  writeConnectorStatus,
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

/** decide and write one connector's reports (`first`: its status already read); undefined: no such connector at the ref's station */
const applyGroup = async (g: Group, first: Stored | undefined, now: () => number): Promise<Applied | undefined> => {
  let known: Stored | undefined = first;
  for (let attempt = 0; attempt < 20; attempt++) {
    const cur = known ?? (await getConnectorStatus(g.ref.stationId, g.connectorId));
    known = undefined;
    if (cur === 'unknown') return undefined;
    const plan = planStatusReports(
      cur,
      g.items.map((x) => x.v),
      now(),
    );
    const write = plan.write;
    const newest = write && g.items.find((x) => x.v.version === write.version);
    if (!write || !newest) return { ...g, plan };
    const last = plan.changes.at(-1);
    const mark = last ? { version: last.version, previous: last.previousStatus ?? -1 } : undefined;
    const status = { stationId: g.ref.stationId, connectorId: g.connectorId, ...write, observedAt: newest.r.observedAt };
    if (await writeConnectorStatus(status, cur?.version, mark)) return { ...g, plan, ...(mark ? { pending: mark.version } : {}) };
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

  // 2. decide and write, one compare-and-set per connector
  const applied: Applied[] = [];
  await Promise.all(
    known.map(async (g) => {
      try {
        let a = await applyGroup(g, statuses.has(g.connectorId) ? statuses.get(g.connectorId) : 'unknown', now);
        if (!a) {
          // the connector may have moved to another station since the ref was cached
          const moved = await getConnectorRef(g.connectorId, { fresh: true });
          if (moved) a = await applyGroup({ ...g, ref: moved }, undefined, now);
        }
        if (a) applied.push(a);
        else unknown(g.connectorId, g.items);
      } catch (err) {
        fail(g.connectorId, g.items, err);
      }
    }),
  );

  // 3. announce every change (and a pending change a retry owes), then clear the marks
  const withEvents = applied.filter((g) => g.plan.changes.length > 0 || g.plan.reannounce);
  const events = withEvents.flatMap((g) => [
    ...(g.plan.reannounce ? [changeEvent(g, g.plan.reannounce)] : []),
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
    await Promise.all(
      withEvents.map(async (g) => {
        try {
          for (const v of [g.plan.reannounce?.version, g.pending])
            if (v !== undefined) await markAnnounced(g.ref.stationId, g.connectorId, v);
        } catch (err) {
          fail(g.connectorId, g.items, err);
        }
      }),
    );
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
