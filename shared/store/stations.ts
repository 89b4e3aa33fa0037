/**
 * Stations, equipment, connectors, time-of-use policies and live connector status (table `stations`).
 *
 * One table, keys `pk`/`sk`, two sparse GSIs on the META items: `byChange` (gsi1pk, gsi1sk) and
 * `byArea` (gsi2pk, gsi2sk; projection stationId, effChangedAt):
 *
 *   pk                  sk              what
 *   STATION#<StationID> META            station-level hash + change time, effective change time
 *                                       (max of station/equipment/connector change times), the
 *                                       station's PolicyInfos + policy hash; gsi1pk='STATION',
 *                                       gsi1sk=effChangedAt (only META items carry them);
 *                                       with an AreaCode: gsi2pk='AREA#<AreaCode 2 digits>',
 *                                       gsi2sk='<AreaCode>#<StationID>'
 *   STATION#<StationID> DOC             the full StationInfo (with EquipmentInfos) as §3.1 returns it
 *   STATION#<StationID> EQUIP#<EqID>    equipment hash + change time
 *   STATION#<StationID> CONN#<ConnID>   connector hash + change time, its EquipmentID, whether it has
 *                                       a parking space with a ground lock (`parkingSpace`, set by
 *                                       the import from the station's ParkingSpaces; absent on items
 *                                       written before it: unknown), and the LIVE status: status,
 *                                       parkStatus, lockStatus, version, observedAt
 *   CONNECTOR#<ConnID>  REF             ConnectorID → StationID, EquipmentID
 *   ANNOUNCED#<id>      RECEIPT         a status-ingest delivery published the changes it left
 *                                       pending (the CONN# marks name it: pendingBy); `ttl`, 15 days
 *   OUTBOX#StationChanged <ms>#<StID>   a station change to announce (StationChanged), written by
 *                                       the import before the station's META (which then carries
 *                                       importedAt = <ms>), deleted once published
 *
 * Access patterns:
 *   - by station (query_station_status, stats):  Query pk=STATION#id [sk begins_with CONN#]; GetItem DOC
 *   - by connector (policy, status ingest):      GetItem CONNECTOR#id/REF, then the station's items
 *   - changed since a time (LastQueryTime):      Query GSI byChange gsi1pk='STATION' AND gsi1sk > t
 *                                                (without LastQueryTime: the whole partition)
 *   - granted to a partner:                      the GSI result filtered by the partner's grant
 *                                                ('*' or a list), sorted by StationID, then one
 *                                                BatchGet of the page's DOC items
 *   - a supervision platform's region:          per AreaCode prefix (2–6 digits) one Query of byArea
 *                                                gsi2pk='AREA#<prefix 2 digits>' [AND begins_with(gsi2sk,
 *                                                prefix)], then as above (listRegionIndex). Write cost:
 *                                                none more per station write (the keys ride on META;
 *                                                the index write is ~1 WCU per META write, 2 when the
 *                                                AreaCode moves); a META from before the index gets
 *                                                its keys at the next import (one UpdateItem)
 *   - live status:                               compare-and-set on CONN# (`version = :read AND
 *                                                version < :v`): one UpdateItem, or a batch's
 *                                                connectors in one TransactWriteItems (≤ 100)
 *
 * Limits: the GSI keeps every station under one partition key, read whole on each
 * query_stations_info page (≈100 bytes per station: 200 stations ≈ 20 KB, 10,000 ≈ 1 MB,
 * i.e. one or a few GSI pages). Beyond ~10,000 stations or heavy concurrent pulls, shard gsi1pk
 * (STATION#0..N). The index is kept per warm Lambda while the newest change time is the same
 * (listStationIndex: one item read per call otherwise). Station data changes rarely, so the
 * single-partition write rate (1,000 WCU) is never near.
 *
 * Change times are epoch ms. Re-importing unchanged content writes nothing: every unit carries a
 * content hash and only a differing hash bumps its change time. Status changes do NOT count as
 * station changes (they are not StationInfo).
 */

import { config } from '../config.ts';
import { type LiveStatus, type StoredStatus, toLiveStatus } from '../domain/connector-status.ts';
import { EMPTY_EXTENSIONS_HASH } from '../domain/content-hash.ts';
import type { PolicyInfo, StationExtensions, StationInfo, StationParts } from '../domain/station-records.ts';
import { singleFlight } from '../single-flight.ts';
import { batchWriteAll, type TransactUpdate, transactUpdates, type WriteRequest } from './batch-write.ts';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  paginateQuery,
  paginateScan,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from './doc.ts';
import { conditionalWrite, dynamo } from './dynamo.ts';

const table = () => config().tableName('stations');
const BY_CHANGE_INDEX = 'byChange';
const BY_AREA_INDEX = 'byArea';
const stationPk = (id: string) => `STATION#${id}`;
const connRef = (id: string) => ({ pk: `CONNECTOR#${id}`, sk: 'REF' });

interface BatchGetResult {
  Responses?: Record<string, Record<string, unknown>[]>;
  UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }>;
}

export interface StationIndexEntry {
  stationId: string;
  effChangedAt: number;
}

export interface ConnectorRef {
  stationId: string;
  equipmentId: string;
}

export interface ConnectorLive extends LiveStatus {
  connectorId: string;
  equipmentId: string;
  version?: number;
}

export interface StationMeta {
  stationId: string;
  hash: string;
  changedAt: number;
  effChangedAt: number;
  policy: PolicyInfo[];
  policyHash: string;
  policyChangedAt: number;
  /** extension settings (reservation policy…); absent on a META written before they existed */
  extensions?: StationExtensions;
}

// ───────────────────────────── reads ─────────────────────────────

/** Every item a query returns, across all its pages (the SDK's paginator). */
const queryAll = async (input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> => {
  const out: Record<string, unknown>[] = [];
  for await (const page of paginateQuery({ client: dynamo() }, { TableName: table(), ...input })) out.push(...(page.Items ?? []));
  return out;
};

const readIndex = async (sinceMs?: number): Promise<StationIndexEntry[]> => {
  const items = await queryAll({
    IndexName: BY_CHANGE_INDEX,
    KeyConditionExpression: sinceMs === undefined ? 'gsi1pk = :p' : 'gsi1pk = :p AND gsi1sk > :t',
    ExpressionAttributeValues: sinceMs === undefined ? { ':p': 'STATION' } : { ':p': 'STATION', ':t': sinceMs },
    ProjectionExpression: 'stationId, effChangedAt',
  });
  return items.map((i) => ({ stationId: String(i.stationId), effChangedAt: Number(i.effChangedAt) }));
};

/**
 * The byArea keys of a station's META: its AreaCode's province (2 digits) as partition, the whole
 * AreaCode + StationID as sort key, so a region prefix of 2–6 digits is one Query (`begins_with`).
 * None for a station without an AreaCode of at least 2 characters (no region prefix can match it).
 */
const areaKeys = (stationId: string, areaCode: unknown): { gsi2pk: string; gsi2sk: string } | undefined =>
  typeof areaCode === 'string' && areaCode.length >= 2
    ? { gsi2pk: `AREA#${areaCode.slice(0, 2)}`, gsi2sk: `${areaCode}#${stationId}` }
    : undefined;

/** The stations whose AreaCode starts with `prefix` (2–6 digits): one Query of byArea (its pages). */
const readArea = async (prefix: string): Promise<StationIndexEntry[]> => {
  const province = prefix.slice(0, 2);
  const items = await queryAll({
    IndexName: BY_AREA_INDEX,
    KeyConditionExpression: prefix.length > 2 ? 'gsi2pk = :p AND begins_with(gsi2sk, :a)' : 'gsi2pk = :p',
    ExpressionAttributeValues: prefix.length > 2 ? { ':p': `AREA#${province}`, ':a': prefix } : { ':p': `AREA#${province}` },
    ProjectionExpression: 'stationId, effChangedAt',
  });
  return items.map((i) => ({ stationId: String(i.stationId), effChangedAt: Number(i.effChangedAt) }));
};

/** the newest effective change time of any station (one item read, newest first) */
const newestChange = async (): Promise<number | undefined> => {
  const res = await dynamo().send(
    new QueryCommand({
      TableName: table(),
      IndexName: BY_CHANGE_INDEX,
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': 'STATION' },
      ProjectionExpression: 'effChangedAt',
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const top = res.Items?.[0];
  return top ? Number(top.effChangedAt) : undefined;
};

/**
 * The whole index, kept per warm Lambda while no station changed: a partner pulling 10,000 stations
 * in 100 pages reads the index once and, per page, one item (the newest change time: every import
 * that changes a station moves it forward, and stations are never deleted) instead of 10,000.
 */
let indexCache: { table: string; newest: number | undefined; entries: StationIndexEntry[] } | undefined;

/**
 * Every station (or those whose effective change time is after `sinceMs`), unsorted. A warm cache
 * answers both; without one, a full listing fills it and an incremental one (a partner's
 * LastQueryTime pull) reads only the index entries after `sinceMs`, as it always did.
 */
export const listStationIndex = async (sinceMs?: number): Promise<StationIndexEntry[]> => {
  const newest = await newestChange();
  const cached = indexCache;
  if (cached && cached.table === table() && cached.newest === newest)
    return sinceMs === undefined ? [...cached.entries] : cached.entries.filter((e) => e.effChangedAt > sinceMs);
  if (sinceMs !== undefined) return readIndex(sinceMs);
  const entries = await readIndex();
  indexCache = { table: table(), newest, entries };
  return [...entries];
};

/** how long a warm Lambda keeps a region's entries while no station changed, ms */
const AREA_CACHE_MS = 60_000;
const areaCache = new Map<string, { newest: number | undefined; at: number; entries: StationIndexEntry[] }>();

/**
 * The stations of a supervision platform's region (AreaCode prefixes), or those of them changed
 * after `sinceMs`, unsorted, each once: one byArea Query per prefix (all at once), so the read is
 * proportional to the region, not to every station stored (≈70 bytes an entry: 5,000 stations ≈
 * 350 KB ≈ 43 RCU eventually consistent). A warm Lambda keeps a prefix's entries while the newest
 * change time is the same (one item read per call, as listStationIndex), at most a minute: a META
 * given its byArea keys by a re-import (a station stored before the index) moves no change time.
 */
export const listRegionIndex = async (prefixes: readonly string[], sinceMs?: number): Promise<StationIndexEntry[]> => {
  const newest = await newestChange();
  const now = Date.now();
  const found = await Promise.all(
    [...new Set(prefixes)]
      .filter((p) => p.length >= 2)
      .map(async (prefix) => {
        const key = `${table()}|${prefix}`;
        const hit = areaCache.get(key);
        if (hit && hit.newest === newest && now - hit.at < AREA_CACHE_MS) return hit.entries;
        const entries = await readArea(prefix);
        if (areaCache.size >= 1_000) areaCache.clear();
        areaCache.set(key, { newest, at: now, entries });
        return entries;
      }),
  );
  const out = new Map<string, StationIndexEntry>();
  for (const e of found.flat()) if (sinceMs === undefined || e.effChangedAt > sinceMs) out.set(e.stationId, e);
  return [...out.values()];
};

/** The StationInfo documents of these stations, in the given order (unknown ones left out). */
export const getStationInfos = async (ids: readonly string[]): Promise<StationInfo[]> => {
  const found = new Map<string, StationInfo>();
  for (let i = 0; i < ids.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = ids.slice(i, i + 100).map((id) => ({ pk: stationPk(id), sk: 'DOC' }));
    for (let attempt = 0; keys?.length && attempt < 8; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      const res = (await dynamo().send(new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys } } }))) as BatchGetResult;
      for (const item of res.Responses?.[table()] ?? []) {
        const info = JSON.parse(String(item.doc)) as StationInfo;
        found.set(info.StationID, info);
      }
      keys = res.UnprocessedKeys?.[table()]?.Keys;
    }
    if (keys?.length) throw new Error(`stations: ${keys.length} station document(s) left unprocessed by BatchGet`);
  }
  return ids.map((id) => found.get(id)).filter((s): s is StationInfo => s !== undefined);
};

export const getStationMeta = async (stationId: string): Promise<StationMeta | undefined> => {
  const generation = metaGeneration;
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: stationPk(stationId), sk: 'META' } }));
  const meta = res.Item ? (res.Item as unknown as StationMeta) : undefined;
  // a read an import overlapped may hold the META from before it: used, never kept
  if (generation === metaGeneration) recentMeta.set(stationId, { meta, at: Date.now() });
  return meta;
};

/** station METAs read in the last moments, per warm Lambda (an import in this process forgets them) */
const recentMeta = new Map<string, { meta: StationMeta | undefined; at: number }>();
/** bumped when an import in this process starts and ends (or fails): a read that overlapped one is not cached */
let metaGeneration = 0;
/** the META reads in flight for getStationMetaRecent: concurrent reports of one station share one read */
const metaReads = singleFlight<string, StationMeta | undefined>();
const forgetMetas = (): void => {
  metaGeneration++;
  recentMeta.clear();
  metaReads.forget();
};

/**
 * A station's META as read at most `maxAgeMs` ago by this process (else read now): for a reader that
 * runs once per status report and only needs the station's extension settings (the ground-lock raise
 * of every "available" report: a fleet's boot is one read per station instead of one per connector).
 * Reports of one station arriving together share one read (a boot's first statuses: ten connectors
 * of a station at once). An import in this process forgets every cached META and read in flight;
 * another process's import is seen within `maxAgeMs`.
 */
export const getStationMetaRecent = async (stationId: string, maxAgeMs: number): Promise<StationMeta | undefined> => {
  const hit = recentMeta.get(stationId);
  if (hit && Date.now() - hit.at <= maxAgeMs) return hit.meta;
  if (recentMeta.size > 10_000) recentMeta.clear();
  return metaReads.run(stationId, () => getStationMeta(stationId));
};

/** Every connector of a station with its live status (a connector never heard from: status 0 offline, park/lock 0 unknown). */
export const getStationConnectors = async (stationId: string): Promise<ConnectorLive[]> => {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :c)',
    ExpressionAttributeValues: { ':p': stationPk(stationId), ':c': 'CONN#' },
  });
  return items.map((i) => ({
    connectorId: String(i.sk).slice('CONN#'.length),
    equipmentId: String(i.equipmentId),
    ...toLiveStatus(i),
    ...(typeof i.version === 'number' ? { version: i.version } : {}),
  }));
};

/** ConnectorID → station and equipment; cached per warm Lambda (a connector rarely moves). */
const refCache = new Map<string, ConnectorRef>();
export const getConnectorRef = async (connectorId: string, { fresh = false } = {}): Promise<ConnectorRef | undefined> => {
  const hit = refCache.get(connectorId);
  if (hit && !fresh) return hit;
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: connRef(connectorId) }));
  if (!res.Item) {
    refCache.delete(connectorId);
    return undefined;
  }
  const ref = { stationId: String(res.Item.stationId), equipmentId: String(res.Item.equipmentId) };
  if (refCache.size > 50_000) refCache.clear();
  refCache.set(connectorId, ref);
  return ref;
};

/**
 * How many connectors have no live status stored yet (never heard from) — or, with `sinceVersion`,
 * none reported since then (a status left from before a restart is not what the pile says now).
 * The local runtime's readiness check: a Scan of the connector items (the demo dataset: ~5,000
 * small items, one or two pages), never on a request path.
 */
export const countConnectorsWithoutStatus = async (sinceVersion?: number): Promise<number> => {
  let n = 0;
  const pages = paginateScan(
    { client: dynamo() },
    {
      TableName: table(),
      FilterExpression:
        sinceVersion === undefined
          ? 'begins_with(sk, :c) AND attribute_not_exists(version)'
          : 'begins_with(sk, :c) AND (attribute_not_exists(version) OR version < :since)',
      ExpressionAttributeValues: sinceVersion === undefined ? { ':c': 'CONN#' } : { ':c': 'CONN#', ':since': sinceVersion },
      Select: 'COUNT',
    },
  );
  for await (const page of pages) n += page.Count ?? 0;
  return n;
};

// ───────────────────────────── live status ─────────────────────────────

export interface StatusWrite extends LiveStatus {
  stationId: string;
  connectorId: string;
  version: number;
  observedAt: string;
  /** false: only a lock report is newer (the pile fields are left as stored); default true */
  pile?: boolean;
  /** a lock report is newer: the lock's revision and its change's event version */
  lock?: { lockVersion: number; lockEvent: number } | undefined;
}

export type StatusOutcome =
  /** stored; `previous` is what it replaced (undefined: first status ever) */
  | { outcome: 'applied'; previous?: LiveStatus }
  /** a newer (or the same) version is already stored */
  | {
      outcome: 'stale';
      stored?: StoredStatus;
    }
  /** no such connector at that station */
  | { outcome: 'unknown' };

const connKey = (stationId: string, connectorId: string) => ({ pk: stationPk(stationId), sk: `CONN#${connectorId}` });

/** A CONN# item's live status as stored (undefined: the connector has never reported). */
const storedOf = (i: Record<string, unknown>): StoredStatus | undefined =>
  typeof i.version === 'number'
    ? {
        ...toLiveStatus(i),
        version: i.version,
        ...(typeof i.lockVersion === 'number' ? { lockVersion: i.lockVersion } : {}),
        ...(typeof i.lockEvent === 'number' ? { lockEvent: i.lockEvent } : {}),
        ...(typeof i.lockPending === 'number' ? { lockPending: i.lockPending } : {}),
        ...(typeof i.lockPendingSince === 'number' ? { lockPendingSince: i.lockPendingSince } : {}),
        ...(typeof i.pendingAnnounce === 'number' ? { pendingAnnounce: i.pendingAnnounce } : {}),
        ...(typeof i.announcePrevious === 'number' ? { announcePrevious: i.announcePrevious } : {}),
        ...(typeof i.pendingSince === 'number' ? { pendingSince: i.pendingSince } : {}),
        ...(typeof i.pendingBy === 'string' ? { pendingBy: i.pendingBy } : {}),
        ...(typeof i.lockPendingBy === 'string' ? { lockPendingBy: i.lockPendingBy } : {}),
      }
    : undefined;

const STATUS_ATTRS =
  'pk, sk, #s, parkStatus, lockStatus, version, pendingAnnounce, announcePrevious, pendingSince, pendingBy, lockVersion, lockEvent, lockPending, lockPendingSince, lockPendingBy, parkingSpace';

/** Every item of these keys (BatchGet, 100 keys per call, unprocessed keys retried with backoff). */
const batchGetAll = async (
  keys: readonly Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>[]> => {
  const out: Record<string, unknown>[] = [];
  await Promise.all(
    Array.from({ length: Math.ceil(keys.length / 100) }, async (_, c) => {
      let left: Record<string, unknown>[] | undefined = keys.slice(c * 100, c * 100 + 100);
      for (let attempt = 0; left?.length && attempt < 8; attempt++) {
        if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        const res = (await dynamo().send(new BatchGetCommand({ RequestItems: { [table()]: { Keys: left, ...extra } } }))) as BatchGetResult;
        out.push(...(res.Responses?.[table()] ?? []));
        left = res.UnprocessedKeys?.[table()]?.Keys;
      }
      if (left?.length) throw new Error(`stations: ${left.length} key(s) left unprocessed by BatchGet`);
    }),
  );
  return out;
};

/** ConnectorID → station and equipment for many connectors at once (one BatchGet per 100 not cached). */
export const getConnectorRefs = async (connectorIds: readonly string[]): Promise<Map<string, ConnectorRef>> => {
  const found = new Map<string, ConnectorRef>();
  const missing: string[] = [];
  for (const id of new Set(connectorIds)) {
    const hit = refCache.get(id);
    if (hit) found.set(id, hit);
    else missing.push(id);
  }
  if (missing.length) {
    for (const item of await batchGetAll(missing.map(connRef))) {
      const id = String(item.pk).slice('CONNECTOR#'.length);
      const ref = { stationId: String(item.stationId), equipmentId: String(item.equipmentId) };
      if (refCache.size > 50_000) refCache.clear();
      refCache.set(id, ref);
      found.set(id, ref);
    }
  }
  return found;
};

/** The stored live status of these connectors (strongly consistent); a connector missing from the map has no item at that station. */
export const getConnectorStatuses = async (
  keys: readonly { stationId: string; connectorId: string }[],
): Promise<Map<string, StoredStatus | undefined>> => new Map([...(await readConnectorStatuses(keys))].map(([id, r]) => [id, r.stored]));

/** A connector's stored status and whether it has a parking space with a ground lock (undefined: not known, an item from before the flag). */
export interface ConnectorStatusRead {
  stored: StoredStatus | undefined;
  parkingSpace: boolean | undefined;
}

/** getConnectorStatuses, with each connector's parking space flag (the status ingest's read: the same one BatchGet per 100). */
export const readConnectorStatuses = async (
  keys: readonly { stationId: string; connectorId: string }[],
): Promise<Map<string, ConnectorStatusRead>> => {
  const items = await batchGetAll(
    keys.map((k) => connKey(k.stationId, k.connectorId)),
    { ConsistentRead: true, ProjectionExpression: STATUS_ATTRS, ExpressionAttributeNames: { '#s': 'status' } },
  );
  return new Map(
    items.map((i) => [
      String(i.sk).slice('CONN#'.length),
      { stored: storedOf(i), parkingSpace: typeof i.parkingSpace === 'boolean' ? i.parkingSpace : undefined },
    ]),
  );
};

/** One connector's stored live status, strongly consistent (`unknown`: no such connector at that station). */
export const getConnectorStatus = async (stationId: string, connectorId: string): Promise<StoredStatus | undefined | 'unknown'> => {
  const cur = await dynamo().send(new GetCommand({ TableName: table(), Key: connKey(stationId, connectorId), ConsistentRead: true }));
  return cur.Item ? storedOf(cur.Item) : 'unknown';
};

/** a change the write leaves "pending announcement" (cleared by markAnnounced once published) */
export interface PendingMark {
  version: number;
  /** the status before that change (-1: none) */
  previous: number;
}

/**
 * Store a connector's status on the condition that the stored version is still `expected` (what
 * the caller read and decided on; undefined = never reported) — compare-and-set, so the invariant
 * `attribute_not_exists(version) OR version < :v` holds and two writers can never both decide
 * from the same stored status. The lock's revision is compared the same way (`expectedLock`: the
 * lockVersion read; undefined = no lock report stored), so a lock report and a pile report never
 * overwrite each other's field. With `mark`, the change is left pending announcement (`lockMark`:
 * the lock change); without, a pending mark of an earlier write is left as it is (its change still
 * owes an announcement). false: a stored version moved (re-read and decide again).
 */
const writeConnectorStatus = async (cas: StatusCas): Promise<boolean> => conditionalWrite(dynamo(), new UpdateCommand(statusUpdate(cas)));

interface StatusCas {
  w: StatusWrite;
  expected: number | undefined;
  mark?: PendingMark | undefined;
  expectedLock?: number | undefined;
  /** the lock revision whose change this write leaves pending announcement */
  lockMark?: number | undefined;
  /**
   * the delivery that writes the marks: once it has published it leaves one receipt
   * (putAnnounceReceipt) instead of clearing every mark; without, a mark is cleared when published
   */
  by?: string | undefined;
}

const statusUpdate = ({ w, expected, mark, expectedLock, lockMark, by }: StatusCas): TransactUpdate => {
  const pile = w.pile !== false;
  const pileCond =
    expected === undefined
      ? 'attribute_exists(pk) AND attribute_not_exists(version)'
      : pile
        ? 'version = :rv AND version < :v'
        : 'version = :rv';
  const lockCond = expectedLock === undefined ? 'attribute_not_exists(lockVersion)' : 'lockVersion = :rlv';
  const sets = ['#s = :s', 'parkStatus = :ps', 'lockStatus = :ls', 'version = :v'];
  if (pile) sets.push('observedAt = :o');
  // a new mark names its delivery, or none (never the delivery of the mark it replaces)
  const removes: string[] = [];
  if (mark) {
    sets.push('pendingAnnounce = :pv', 'announcePrevious = :prev', 'pendingSince = :now');
    if (by !== undefined) sets.push('pendingBy = :by');
    else removes.push('pendingBy');
  }
  if (w.lock) sets.push('lockVersion = :lv', 'lockEvent = :le');
  if (lockMark !== undefined) {
    sets.push('lockPending = :lp', 'lockPendingSince = :now');
    if (by !== undefined) sets.push('lockPendingBy = :by');
    else removes.push('lockPendingBy');
  }
  return {
    TableName: table(),
    Key: connKey(w.stationId, w.connectorId),
    ConditionExpression: `${pileCond} AND ${lockCond}`,
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: {
      ':s': w.status,
      ':ps': w.parkStatus,
      ':ls': w.lockStatus,
      ':v': w.version,
      ...(pile ? { ':o': w.observedAt } : {}),
      ...(expected !== undefined ? { ':rv': expected } : {}),
      ...(expectedLock !== undefined ? { ':rlv': expectedLock } : {}),
      ...(mark ? { ':pv': mark.version, ':prev': mark.previous } : {}),
      ...(mark || lockMark !== undefined ? { ':now': Date.now() } : {}),
      ...(w.lock ? { ':lv': w.lock.lockVersion, ':le': w.lock.lockEvent } : {}),
      ...(lockMark !== undefined ? { ':lp': lockMark } : {}),
      ...(by !== undefined && (mark || lockMark !== undefined) ? { ':by': by } : {}),
    },
  };
};

/**
 * Many connectors' compare-and-sets (distinct connectors) in TransactWriteItems of up to 100: one
 * round trip instead of one per connector, each with exactly the condition of writeConnectorStatus
 * (a lost one cancels only itself: the others are sent again). Per write: applied, or false when the
 * stored version moved (re-read and decide again).
 */
export const writeConnectorStatuses = async (writes: readonly StatusCas[]): Promise<boolean[]> => transactUpdates(writes.map(statusUpdate));

/**
 * Store one status report unless a newer (or the same) version is already there (read, decide,
 * compare-and-set; a lost race re-reads). `announce` decides from the previous status whether the
 * write is a change to leave pending announcement.
 */
export const applyConnectorStatus = async (
  w: StatusWrite,
  announce: (previous: LiveStatus | undefined) => boolean,
): Promise<StatusOutcome> => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const stored = await getConnectorStatus(w.stationId, w.connectorId);
    if (stored === 'unknown') return { outcome: 'unknown' };
    if (stored && stored.version >= w.version) return { outcome: 'stale', stored };
    const previous = stored ? { status: stored.status, parkStatus: stored.parkStatus, lockStatus: stored.lockStatus } : undefined;
    const mark = announce(previous) ? { version: w.version, previous: previous?.status ?? -1 } : undefined;
    // a lock owns the connector's lockStatus once it reported (shared/domain/connector-status.ts)
    const own = stored?.lockVersion !== undefined ? { ...w, lockStatus: stored.lockStatus } : w;
    if (await writeConnectorStatus({ w: own, expected: stored?.version, mark, expectedLock: stored?.lockVersion }))
      return { outcome: 'applied', ...(previous ? { previous } : {}) };
  }
  throw new Error(`connector ${w.connectorId}: status write lost 20 races in a row`);
};

/** clear a pending mark (`attr` holds the version it marks; `also`: the attributes that go with it) unless a newer write replaced it */
const clearMark = (stationId: string, connectorId: string, attr: string, also: string, version: number): TransactUpdate => ({
  TableName: table(),
  Key: connKey(stationId, connectorId),
  ConditionExpression: `${attr} = :v`,
  UpdateExpression: `REMOVE ${attr}, ${also}`,
  ExpressionAttributeValues: { ':v': version },
});

/**
 * These changes have been published: clear their marks (a no-op where a newer write replaced the
 * mark); distinct connectors, in transactions of up to 100 — pile marks, then lock marks (one
 * transaction may not touch an item twice).
 */
export const markAnnouncedMany = async (
  marks: readonly { stationId: string; connectorId: string; version?: number | undefined; lockVersion?: number | undefined }[],
): Promise<void> => {
  const piles = marks.flatMap((m) =>
    m.version === undefined
      ? []
      : [clearMark(m.stationId, m.connectorId, 'pendingAnnounce', 'announcePrevious, pendingSince, pendingBy', m.version)],
  );
  if (piles.length) await transactUpdates(piles);
  const locks = marks.flatMap((m) =>
    m.lockVersion === undefined
      ? []
      : [clearMark(m.stationId, m.connectorId, 'lockPending', 'lockPendingSince, lockPendingBy', m.lockVersion)],
  );
  if (locks.length) await transactUpdates(locks);
};

/** how long a delivery's receipt is kept: beyond SQS's longest retention (14 days), so no redelivery outlives it */
const RECEIPT_DAYS = 15;
const receiptKey = (deliveryId: string) => ({ pk: `ANNOUNCED#${deliveryId}`, sk: 'RECEIPT' });

/**
 * A delivery of the status ingest has published every change it left pending: one small item
 * (expires after RECEIPT_DAYS), in place of clearing each connector's mark (issue 9 §5: one write
 * per new status, not two). A stale report of a pending change asks for it (announcedDeliveries).
 */
export const putAnnounceReceipt = async (deliveryId: string, now = Date.now()): Promise<void> => {
  await dynamo().send(
    new PutCommand({ TableName: table(), Item: { ...receiptKey(deliveryId), ttl: Math.floor(now / 1000) + RECEIPT_DAYS * 86_400 } }),
  );
};

/** Which of these deliveries left a receipt (strongly consistent; one BatchGet per 100). */
export const announcedDeliveries = async (deliveryIds: readonly string[]): Promise<Set<string>> => {
  const ids = [...new Set(deliveryIds)];
  if (!ids.length) return new Set();
  const items = await batchGetAll(ids.map(receiptKey), { ConsistentRead: true, ProjectionExpression: 'pk' });
  return new Set(items.map((i) => String(i.pk).slice('ANNOUNCED#'.length)));
};

// ───────────────────────────── import ─────────────────────────────

export interface ImportSummary {
  stations: number;
  created: number;
  changed: number;
  unchanged: number;
  equipmentChanged: number;
  connectorsChanged: number;
  policiesChanged: number;
  /** charge points written to the OCPP registry (new, or their connectors changed), when asked for */
  chargePointsRegistered?: number;
  /** what changed per created or changed station (the StationChanged events, shared/services/station-import.ts) */
  changes?: StationChangeFacts[];
}

export interface StationChangeFacts {
  stationId: string;
  areaCode?: string;
  created: boolean;
  info: boolean;
  tariff: boolean;
  /** EquipmentIDs added or changed (their connectors included) */
  equipment: string[];
}

/** ConnectorIDs of the import that already belong to a station NOT in the import (ConnectorIDs are unique per operator). */
export const connectorOwnerConflicts = async (
  parts: readonly StationParts[],
): Promise<Array<{ connectorId: string; stationId: string; ownedBy: string }>> => {
  const importing = new Set(parts.map((p) => p.stationId));
  const wanted = parts.flatMap((p) => p.connectors.map((c) => ({ connectorId: c.connectorId, stationId: p.stationId })));
  // one BatchGet per 100 connectors, all in flight at once (the SDK's socket pool queues them)
  const owners = new Map(
    (await batchGetAll(wanted.map((w) => connRef(w.connectorId)))).map((i) => [
      String(i.pk).slice('CONNECTOR#'.length),
      String(i.stationId),
    ]),
  );
  const out: Array<{ connectorId: string; stationId: string; ownedBy: string }> = [];
  for (const w of wanted) {
    const owner = owners.get(w.connectorId);
    if (owner && owner !== w.stationId && !importing.has(owner)) out.push({ ...w, ownedBy: owner });
  }
  return out;
};

const stationItems = async (stationId: string): Promise<Map<string, Record<string, unknown>>> => {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :p',
    ExpressionAttributeValues: { ':p': stationPk(stationId) },
    ProjectionExpression: 'sk, #h, changedAt, effChangedAt, policyHash, policyChangedAt, equipmentId, extensionsHash, gsi2sk, parkingSpace',
    ExpressionAttributeNames: { '#h': 'hash' },
  });
  return new Map(items.map((i) => [String(i.sk), i]));
};

type StationResult = 'created' | 'changed' | 'unchanged';

/** What importing one station writes: puts and deletes (BatchWrite), updates of existing connectors, its META (written last). */
interface StationPlan {
  result: StationResult;
  writes: WriteRequest[];
  /** connectors that exist and changed: UpdateItem, not Put (the item also holds the connector's live status) */
  updates: UpdateCommandInput[];
  meta?: Record<string, unknown>;
}

const planStation = (
  p: StationParts,
  existing: ReadonlyMap<string, Record<string, unknown>>,
  allConnectorIds: ReadonlySet<string>,
  nowMs: number,
  sum: ImportSummary,
): StationPlan => {
  const T = table();
  const pk = stationPk(p.stationId);
  const meta = existing.get('META');
  const writes: WriteRequest[] = [];
  const updates: UpdateCommandInput[] = [];
  let stationChangedAt = meta && meta.hash === p.stationHash ? Number(meta.changedAt) : nowMs;
  let effChangedAt = stationChangedAt;

  const changedEquip = new Set<string>();
  const wantedEquip = new Set(p.equipment.map((e) => `EQUIP#${e.equipmentId}`));
  const wantedConn = new Set(p.connectors.map((c) => `CONN#${c.connectorId}`));
  for (const sk of existing.keys()) {
    // equipment or connectors that left the station: the station itself changed
    if ((sk.startsWith('EQUIP#') && !wantedEquip.has(sk)) || (sk.startsWith('CONN#') && !wantedConn.has(sk))) {
      writes.push({ DeleteRequest: { Key: { pk, sk } } });
      stationChangedAt = nowMs;
      if (sk.startsWith('CONN#')) {
        const cid = sk.slice('CONN#'.length);
        if (!allConnectorIds.has(cid)) writes.push({ DeleteRequest: { Key: connRef(cid) } });
      }
    }
  }
  effChangedAt = stationChangedAt;
  for (const e of p.equipment) {
    const cur = existing.get(`EQUIP#${e.equipmentId}`);
    let at = Number(cur?.changedAt);
    if (!cur || cur.hash !== e.hash) {
      at = nowMs;
      sum.equipmentChanged++;
      changedEquip.add(e.equipmentId);
      writes.push({ PutRequest: { Item: { pk, sk: `EQUIP#${e.equipmentId}`, hash: e.hash, changedAt: at } } });
    }
    effChangedAt = Math.max(effChangedAt, at);
  }
  // the connectors with a parking space whose lock the car park raises (the ingest tells the lock raise which: parkingSpace)
  const spaces = new Set(p.extensions.CarParkGatewayUrl ? (p.extensions.ParkingSpaces ?? []).map((s) => s.ConnectorID) : []);
  /** connectors whose only change is the parking space flag: no change time, nothing announced */
  const flagOnly: UpdateCommandInput[] = [];
  for (const c of p.connectors) {
    const cur = existing.get(`CONN#${c.connectorId}`);
    const parkingSpace = spaces.has(c.connectorId);
    let at = Number(cur?.changedAt);
    const item = { pk, sk: `CONN#${c.connectorId}` };
    if (!cur || cur.hash !== c.hash || cur.equipmentId !== c.equipmentId) {
      at = nowMs;
      sum.connectorsChanged++;
      changedEquip.add(c.equipmentId);
      // a new connector has no live status yet (the ingest writes only to an existing item): a Put
      if (!cur) writes.push({ PutRequest: { Item: { ...item, hash: c.hash, changedAt: at, equipmentId: c.equipmentId, parkingSpace } } });
      else
        updates.push({
          TableName: T,
          Key: item,
          UpdateExpression: 'SET #h = :h, changedAt = :t, equipmentId = :e, parkingSpace = :ps',
          ExpressionAttributeNames: { '#h': 'hash' },
          ExpressionAttributeValues: { ':h': c.hash, ':t': at, ':e': c.equipmentId, ':ps': parkingSpace },
        });
      writes.push({ PutRequest: { Item: { ...connRef(c.connectorId), stationId: p.stationId, equipmentId: c.equipmentId } } });
    } else if (cur.parkingSpace !== parkingSpace)
      // spaces configured or removed, or an item written before the flag existed
      flagOnly.push({
        TableName: T,
        Key: item,
        UpdateExpression: 'SET parkingSpace = :ps',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':ps': parkingSpace },
      });
    effChangedAt = Math.max(effChangedAt, at);
  }
  const policyChanged = !meta || meta.policyHash !== p.policyHash;
  if (policyChanged && meta) sum.policiesChanged++;
  const infoChanged =
    !meta || writes.length > 0 || updates.length > 0 || meta.hash !== p.stationHash || Number(meta.effChangedAt) !== effChangedAt;
  const extensionsChanged = (meta?.extensionsHash ?? EMPTY_EXTENSIONS_HASH) !== p.extensionsHash;
  const areaCode = (p.info as { AreaCode?: unknown }).AreaCode;
  const area = areaKeys(p.stationId, areaCode);
  if (!infoChanged && !policyChanged && !extensionsChanged) {
    // a META written before the byArea index: its keys only (one UpdateItem, no change announced)
    if (meta && area && meta.gsi2sk !== area.gsi2sk)
      updates.push({
        TableName: T,
        Key: { pk, sk: 'META' },
        UpdateExpression: 'SET gsi2pk = :p, gsi2sk = :s',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':p': area.gsi2pk, ':s': area.gsi2sk },
      });
    return { result: 'unchanged', writes, updates: [...updates, ...flagOnly] };
  }
  if (infoChanged) writes.push({ PutRequest: { Item: { pk, sk: 'DOC', doc: JSON.stringify(p.info) } } });
  // what changed, for StationChanged (published by the import once every write is done)
  sum.changes ??= [];
  sum.changes.push({
    stationId: p.stationId,
    ...(typeof areaCode === 'string' ? { areaCode } : {}),
    created: !meta,
    info: infoChanged,
    tariff: policyChanged && !!meta,
    equipment: [...changedEquip].sort(),
  });
  return {
    result: meta ? 'changed' : 'created',
    writes,
    updates: [...updates, ...flagOnly],
    meta: {
      pk,
      sk: 'META',
      stationId: p.stationId,
      hash: p.stationHash,
      changedAt: stationChangedAt,
      effChangedAt,
      policy: p.policy,
      policyHash: p.policyHash,
      policyChangedAt: policyChanged ? nowMs : Number(meta?.policyChangedAt ?? nowMs),
      extensions: p.extensions,
      extensionsHash: p.extensionsHash,
      gsi1pk: 'STATION',
      gsi1sk: effChangedAt,
      ...area,
      // the import that wrote this META: its outbox rows (sk <importedAt>#<StationID>) are committed
      importedAt: nowMs,
    },
  };
};

/**
 * Upsert validated stations (validation and conflict checks happen BEFORE this is called; see
 * shared/services/station-import.ts). Stations not in `parts` are left as they are. Idempotent:
 * unchanged content writes nothing and bumps no change time.
 *
 * Batch-shaped: every station's stored items are read (a Query each, `concurrency` at a time), the
 * writes of all stations are planned, then made in two phases — every item but META (BatchWrite,
 * 25 per call; existing connectors by UpdateItem), then every changed station's META (BatchWrite).
 * META last: a crash mid-way leaves the old META, and the next import redoes what is missing.
 */
export const importStationParts = async (parts: readonly StationParts[], now = new Date(), concurrency = 16): Promise<ImportSummary> => {
  forgetMetas();
  try {
    return await importStationPartsNow(parts, now, concurrency);
  } finally {
    forgetMetas();
  }
};

const importStationPartsNow = async (parts: readonly StationParts[], now: Date, concurrency: number): Promise<ImportSummary> => {
  const sum: ImportSummary = {
    stations: parts.length,
    created: 0,
    changed: 0,
    unchanged: 0,
    equipmentChanged: 0,
    connectorsChanged: 0,
    policiesChanged: 0,
  };
  const allConnectorIds = new Set(parts.flatMap((p) => p.connectors.map((c) => c.connectorId)));
  const nowMs = now.getTime();
  const plans: StationPlan[] = [];
  let next = 0;
  const reader = async () => {
    for (let i = next++; i < parts.length; i = next++) {
      const p = parts[i] as StationParts;
      const plan = planStation(p, await stationItems(p.stationId), allConnectorIds, nowMs, sum);
      sum[plan.result]++;
      plans.push(plan);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, parts.length) }, reader));
  await batchWriteAll(
    table(),
    plans.flatMap((p) => p.writes),
  );
  const updates = plans.flatMap((p) => p.updates);
  next = 0;
  await Promise.all(
    Array.from({ length: Math.min(8, updates.length) }, async () => {
      for (let i = next++; i < updates.length; i = next++) await dynamo().send(new UpdateCommand(updates[i] as UpdateCommandInput));
    }),
  );
  // the changes to announce, durable before the METAs commit them (shared/services/station-import.ts publishes)
  await batchWriteAll(
    table(),
    (sum.changes ?? []).filter(announced).map((c) => ({ PutRequest: { Item: outboxItem(c, nowMs) } })),
  );
  await batchWriteAll(
    table(),
    plans.flatMap((p) => (p.meta ? [{ PutRequest: { Item: p.meta } }] : [])),
  );
  refCache.clear();
  areaCache.clear();
  return sum;
};

// ───────────────────────────── StationChanged outbox ─────────────────────────────

const OUTBOX_PK = 'OUTBOX#StationChanged';

/** A change worth a StationChanged: created, or its info/equipment or price policy changed (an extensions-only change is not). */
export const announced = (c: StationChangeFacts): boolean => c.created || c.info || c.tariff;

/** a station change the import recorded and has not (yet) announced */
export interface PendingStationChange {
  facts: StationChangeFacts;
  /** epoch ms of the import that recorded it */
  at: number;
}

const outboxKey = (stationId: string, at: number) => ({ pk: OUTBOX_PK, sk: `${String(at).padStart(15, '0')}#${stationId}` });

const outboxItem = (c: StationChangeFacts, at: number) => ({ ...outboxKey(c.stationId, at), at, facts: c });

/**
 * The changes recorded by imports before `before` (epoch ms) whose station's META they committed
 * (META.importedAt ≥ the row's time: that import, or a later one that re-planned against the same
 * old META, got to write it), and the rows of imports that never committed, older than
 * `abandonedBefore`. One Query of the outbox partition (empty: one read) + one BatchGet of the
 * METAs. The rows of imports still running (no META yet) are neither.
 */
export const pendingStationChanges = async (
  before: number,
  abandonedBefore: number,
): Promise<{ committed: PendingStationChange[]; abandoned: PendingStationChange[] }> => {
  const rows = (
    await queryAll({
      KeyConditionExpression: 'pk = :p AND sk < :t',
      ExpressionAttributeValues: { ':p': OUTBOX_PK, ':t': String(before).padStart(15, '0') },
    })
  ).map((i) => ({ facts: i.facts as StationChangeFacts, at: Number(i.at) }));
  if (!rows.length) return { committed: [], abandoned: [] };
  const metas = await batchGetAll(
    [...new Set(rows.map((r) => r.facts.stationId))].map((id) => ({ pk: stationPk(id), sk: 'META' })),
    { ProjectionExpression: 'stationId, importedAt' },
  );
  const importedAt = new Map(metas.map((m) => [String(m.stationId), Number(m.importedAt ?? 0)]));
  const committed: PendingStationChange[] = [];
  const abandoned: PendingStationChange[] = [];
  for (const r of rows) {
    if ((importedAt.get(r.facts.stationId) ?? -1) >= r.at) committed.push(r);
    else if (r.at < abandonedBefore) abandoned.push(r);
  }
  return { committed, abandoned };
};

/** These changes are announced (or abandoned): delete their rows (BatchWrite, 25 a call). */
export const clearStationChanges = async (changes: readonly { stationId: string; at: number }[]): Promise<void> => {
  await batchWriteAll(
    table(),
    changes.map((c) => ({ DeleteRequest: { Key: outboxKey(c.stationId, c.at) } })),
  );
};
