/**
 * The app API's view of the world (`/app/v1`, issue 12 §4) — pure rules, no I/O: what state a
 * session is in as the app sees it, whichever pile it runs on, and the distance rule of the
 * station search.
 *
 * A session on a PARTNER's pile is a roaming order (./roaming-order.ts) plus how its start went
 * (`start`): the partner's answer to query_start_charge, or — when that answer was lost (timeout,
 * 4002, a Sig that did not verify) — `unresolved` until a query_equip_charge_status resolves it.
 * Nothing is retried automatically: a start is sent once.
 *
 *   state      starting | charging | stopping | finished (the partner says so, or its final order
 *              arrived) | failed (the partner refused, or never received the start) | unknown (the
 *              answer was lost and the partner has not answered a status query yet)
 */
import { parseDateTime } from '../tcec/time.ts';
import type { RoamingOrderState, SeqStat } from './roaming-order.ts';

export type SessionState = 'starting' | 'charging' | 'stopping' | 'finished' | 'failed' | 'unknown';

/** How the partner answered our one query_start_charge. */
export type StartOutcome =
  | { outcome: 'accepted' }
  /** SuccStat 1: the partner's FailReason */
  | { outcome: 'refused'; FailReason: number }
  /** no usable answer (timeout, network, 4002, a bad Sig): resolved by query_equip_charge_status */
  | { outcome: 'unresolved'; reason: string }
  /** the status query says the partner never heard of the order: the start did not arrive */
  | { outcome: 'not-received' };

/** An app-API failure: an HTTP status, a stable code the app switches on, and a message for people. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly status: 400 | 401 | 404 | 409 | 502,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const STATE_OF_STAT: Record<SeqStat, SessionState> = { 1: 'starting', 2: 'charging', 3: 'stopping', 4: 'finished', 5: 'unknown' };

/** The app's state of a roaming session. */
export const roamingSessionState = (o: RoamingOrderState & { start?: StartOutcome }): SessionState => {
  if (o.final) return 'finished'; // the partner's final order is the end, whatever we heard before
  if (o.start?.outcome === 'refused' || o.start?.outcome === 'not-received') return 'failed';
  if (o.start?.outcome === 'unresolved' && o.stat === 1) return 'unknown';
  return STATE_OF_STAT[o.stat];
};

/** The app's state of a session on one of OUR piles (T/CEC order status 1–4; a start that never charged is failed). */
export const ownSessionState = (status: number, charged: boolean | undefined): SessionState => {
  if (status === 4) return charged === false ? 'failed' : 'finished';
  return STATE_OF_STAT[status as SeqStat] ?? 'unknown';
};

/** A session still running at the partner (a status poll may move it). */
export const isOpenState = (s: SessionState): boolean => s === 'starting' || s === 'charging' || s === 'stopping' || s === 'unknown';

/**
 * A roaming order the session sweep still has to look at (the sparse `OPEN` entry of the roaming
 * table's byGroup index): no final order yet and not failed (the partner may still move it, or owes
 * us its bill), or a final order whose OrderDisputed event is not published yet.
 */
export const needsSweep = (o: RoamingOrderState & { start?: StartOutcome }): boolean => {
  if (o.final) return o.final.disputePublished === false;
  // abandoned (abandonDue): only until its OrderDisputed is published
  if (o.abandoned) return !o.abandoned.published;
  return !(o.start?.outcome === 'refused' || o.start?.outcome === 'not-received');
};

/**
 * A roaming session's last sign of life, epoch ms: the later of the order's creation and the time of
 * the partner's newest figures (`live.EndTime`, China time). After the stop no figures come: for a
 * stopped session this is (about) when it stopped; for one that never reported, when it started.
 */
export const lastSignOfLife = (o: RoamingOrderState & { createdAt: string }): number => {
  const created = Date.parse(o.createdAt);
  const live = o.live ? parseDateTime(o.live.EndTime)?.getTime() : undefined;
  return live !== undefined && live > created ? live : created;
};

/**
 * Whether the session sweep gives up on a session at `now`: the partner never sent its final order
 * (§3.12) and nothing has been heard of the session for `hours` — not one that has failed (it owes no
 * bill), nor one already abandoned. The sweep then marks it abandoned, disputes it once (the partner's
 * order as good as not found: DisputeReason 1) and stops polling it; a final order coming after all
 * still finishes it.
 */
export const abandonDue = (o: RoamingOrderState & { createdAt: string; start?: StartOutcome }, now: Date, hours: number): boolean => {
  if (o.final || o.abandoned) return false;
  if (roamingSessionState(o) === 'failed') return false;
  return now.getTime() - lastSignOfLife(o) >= hours * 3_600_000;
};

/** the session sweep runs every 5 minutes; the partners' connector status is polled on every third run */
const SWEEP_EVERY_MS = 5 * 60_000;
const STATUS_POLL_EVERY = 3;

/** Whether the sweep scheduled at `at` also polls the partners' connector status (every 15 minutes, by the clock). */
export const statusPollDue = (at: Date): boolean => Math.floor(at.getTime() / SWEEP_EVERY_MS) % STATUS_POLL_EVERY === 0;

/** Refreshed by a status poll when the newest push is older than this. */
export const POLL_AFTER_MS = 60_000;

/** Great-circle distance in km (haversine; WGS-84 mean radius). */
export const distanceKm = (a: { lat: number; lng: number }, b: { lat: number; lng: number }): number => {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
};

/**
 * The grid the partner stations are filed under for the station search (the roaming table's byGroup
 * index, `PCELL#<cell>`): cells of GRID_DEG × GRID_DEG degrees (~28 km × 24 km at Shanghai), so a
 * 5 km search reads 1–4 cells and the 100 km maximum about a hundred.
 */
const GRID_DEG = 0.25;

const cellIndex = (deg: number): number => Math.floor(deg / GRID_DEG);

/** The grid cell of a point, e.g. `124:485`. */
export const gridCell = (lat: number, lng: number): string => `${cellIndex(lat)}:${cellIndex(lng)}`;

/** Every grid cell that may hold a point within `radiusKm` of the centre (the bounding box's cells). */
export const cellsAround = (q: { lat: number; lng: number; radiusKm: number }): string[] => {
  const dLat = q.radiusKm / 110.574;
  const cos = Math.max(Math.cos((q.lat * Math.PI) / 180), 0.01);
  const dLng = Math.min(180, q.radiusKm / (111.32 * cos));
  const out: string[] = [];
  for (let la = cellIndex(Math.max(-90, q.lat - dLat)); la <= cellIndex(Math.min(90, q.lat + dLat)); la++) {
    for (let lo = cellIndex(q.lng - dLng); lo <= cellIndex(q.lng + dLng); lo++) {
      // longitudes wrap at the antimeridian
      const wrapped = ((((lo * GRID_DEG + 180) % 360) + 360) % 360) - 180;
      out.push(`${la}:${cellIndex(wrapped)}`);
    }
  }
  return [...new Set(out)];
};
