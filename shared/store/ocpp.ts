/**
 * The OCPP gateway's records (table `ocpp`), keys `pk`/`sk`:
 *
 *   pk                      sk     what
 *   CP#<chargePointId>      META   the registry: its T/CEC ConnectorIDs in OCPP order 1..n, the
 *                                  password's salted SHA-256, `simulated`, its StationID
 *   CP#<chargePointId>      CONN   its live WebSocket connection id, connectedAt
 *   CP#<chargePointId>      BOOT   when a BootNotification of it was last accepted
 *   CP#<chargePointId>      GONE   the connection whose close last left it disconnected
 *   WS#<connectionId>       CONN   connection id → charge point, booted (the $default route knows only the id)
 *   CALL#<messageId>        CALL   an outgoing call awaiting its CALLRESULT: action, charge point,
 *                                  what it was for (StartChargeSeq, ConnectorID), expiresAt
 *   CALL#<messageId>        ANSWER what the charge point answered (the operator CLI waits for it)
 *   TX#<cp>#<transactionId> TX     a transaction bound to an order: StartChargeSeq, ConnectorID, meterStartWh
 *   TAG#<idTag>             TAG    an idTag we issued with a RemoteStart → the order it starts
 *
 * The operator console lists the registry with its connections: one Scan of the CP# items
 * (META, CONN, BOOT), thousands of charge points, not millions.
 *
 * Every record but the registry carries `ttl` (epoch s) so DynamoDB removes what is forgotten.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { config } from '../config.ts';
import { batchWriteAll } from './batch-write.ts';
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, paginateScan, QueryCommand, UpdateCommand } from './doc.ts';
import { conditionalWrite, dynamo } from './dynamo.ts';

const table = () => config().tableName('ocpp');
const DAY_S = 86_400;
const ttlIn = (now: Date, seconds: number) => Math.floor(now.getTime() / 1000) + seconds;

export interface ChargePoint {
  chargePointId: string;
  connectors: string[];
  simulated: boolean;
  /** its station (registered since issue 9 §5: its status reports name it; older entries lack it) */
  stationId?: string;
}

const hashPassword = (password: string, salt: string): string => createHash('sha256').update(`${salt}:${password}`).digest('hex');

export interface ChargePointRegistration extends ChargePoint {
  password: string;
}

/** Writes (or replaces) registry entries, 25 per BatchWrite, 8 BatchWrites at a time; the passwords are stored salted and hashed only. */
export const putChargePoints = async (cps: readonly ChargePointRegistration[], concurrency = 8): Promise<void> => {
  for (const cp of cps) registryCache.delete(cp.chargePointId);
  const starts = Array.from({ length: Math.ceil(cps.length / 25) }, (_, k) => k * 25);
  const worker = async () => {
    for (let i = starts.shift(); i !== undefined; i = starts.shift()) await putChunk(cps.slice(i, i + 25));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
};

const putChunk = async (chunk: readonly ChargePointRegistration[]): Promise<void> => {
  let items: Record<string, unknown>[] | undefined = chunk.map((cp) => {
    const salt = randomBytes(12).toString('hex');
    const Item = {
      pk: `CP#${cp.chargePointId}`,
      sk: 'META',
      connectors: cp.connectors,
      simulated: cp.simulated,
      ...(cp.stationId ? { stationId: cp.stationId } : {}),
      salt,
      passwordHash: hashPassword(cp.password, salt),
    };
    return { PutRequest: { Item } };
  });
  for (let attempt = 0; items?.length; attempt++) {
    const res = await dynamo().send(new BatchWriteCommand({ RequestItems: { [table()]: items } }));
    items = res.UnprocessedItems?.[table()] as Record<string, unknown>[] | undefined;
    if (items?.length && attempt > 8) throw new Error(`ocpp registry: ${items.length} entries left unprocessed`);
    if (items?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
  }
};

/** Replaces one charge point's password (rotation); false when it is not registered. */
export const setChargePointPassword = async (chargePointId: string, password: string): Promise<boolean> => {
  const salt = randomBytes(12).toString('hex');
  return conditionalWrite(
    dynamo(),
    new UpdateCommand({
      TableName: table(),
      Key: { pk: `CP#${chargePointId}`, sk: 'META' },
      UpdateExpression: 'SET salt = :s, passwordHash = :h',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':s': salt, ':h': hashPassword(password, salt) },
    }),
  );
};

const registryCache = new Map<string, { cp: ChargePoint; salt: string; hash: string }>();

/** a registry item (CP#…/META) as the cache keeps it */
const remember = (chargePointId: string, item: Record<string, unknown>) => {
  const entry = {
    cp: {
      chargePointId,
      connectors: (item.connectors as string[]) ?? [],
      simulated: item.simulated === true,
      ...(typeof item.stationId === 'string' ? { stationId: item.stationId } : {}),
    },
    salt: String(item.salt),
    hash: String(item.passwordHash),
  };
  if (registryCache.size > 10_000) registryCache.clear();
  registryCache.set(chargePointId, entry);
  return entry;
};

const getRegistryEntry = async (chargePointId: string) => {
  const hit = registryCache.get(chargePointId);
  if (hit) return hit;
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `CP#${chargePointId}`, sk: 'META' } }));
  return res.Item ? remember(chargePointId, res.Item) : undefined;
};

/** A registered charge point (cached per warm Lambda; the connectors of a charge point rarely change). */
export const getChargePoint = async (chargePointId: string): Promise<ChargePoint | undefined> =>
  (await getRegistryEntry(chargePointId))?.cp;

/**
 * The charge point when `password` is its password (read fresh: a rotation counts at once), and
 * whether it was ever accepted by a BootNotification: ONE Query of its CP# items (registry, boot,
 * connection: a few hundred bytes, one read unit) where `$connect` made two GetItems.
 */
export const admitChargePoint = async (
  chargePointId: string,
  password: string,
): Promise<{ cp: ChargePoint; booted: boolean } | undefined> => {
  registryCache.delete(chargePointId);
  const res = await dynamo().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `CP#${chargePointId}` },
    }),
  );
  const items = res.Items ?? [];
  const meta = items.find((i) => i.sk === 'META');
  if (!meta) return undefined;
  const e = remember(chargePointId, meta);
  const a = Buffer.from(hashPassword(password, e.salt), 'hex');
  const b = Buffer.from(e.hash, 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
  return { cp: e.cp, booted: items.some((i) => i.sk === 'BOOT') };
};

/** The charge point when `password` is its password (read fresh: a rotation counts at once). */
export const checkChargePointPassword = async (chargePointId: string, password: string): Promise<ChargePoint | undefined> =>
  (await admitChargePoint(chargePointId, password))?.cp;

/** A registered charge point, its live connection (if any) and its last accepted boot. */
export interface ChargePointState extends ChargePoint {
  connection?: Connection;
  bootedAt?: string;
}

/** Every registered charge point with its connection and boot (the operator console): one Scan of the CP# items. */
export const listChargePoints = async (): Promise<ChargePointState[]> => {
  const byId = new Map<string, ChargePointState>();
  const of = (id: string) => {
    const cp = byId.get(id) ?? { chargePointId: id, connectors: [], simulated: false };
    byId.set(id, cp);
    return cp;
  };
  const pages = paginateScan(
    { client: dynamo() },
    { TableName: table(), FilterExpression: 'begins_with(pk, :cp)', ExpressionAttributeValues: { ':cp': 'CP#' } },
  );
  for await (const page of pages)
    for (const i of page.Items ?? []) {
      const cp = of(String(i.pk).slice('CP#'.length));
      if (i.sk === 'META') {
        cp.connectors = Array.isArray(i.connectors) ? i.connectors.map(String) : [];
        cp.simulated = i.simulated === true;
      } else if (i.sk === 'CONN') cp.connection = { connectionId: String(i.connectionId), connectedAt: String(i.connectedAt) };
      else if (i.sk === 'BOOT' && typeof i.bootedAt === 'string') cp.bootedAt = i.bootedAt;
    }
  return [...byId.values()].sort((a, b) => a.chargePointId.localeCompare(b.chargePointId));
};

// ── connections ──────────────────────────────────────────────────────────────────────────────

export interface Connection {
  connectionId: string;
  connectedAt: string;
}

/**
 * Records a new connection. It starts booted when the charge point was ever accepted by a
 * BootNotification: a charger that only lost its socket reconnects without booting again.
 */
/**
 * The charge point's live connection, both ways (CP#…/CONN, WS#…/CONN): one BatchWriteItem of the
 * two. `booted`: a BootNotification of it was ever accepted (admitChargePoint read it).
 */
export const putConnection = async (chargePointId: string, connectionId: string, now: Date, booted: boolean): Promise<void> => {
  await batchWriteAll(table(), [
    {
      PutRequest: {
        Item: { pk: `CP#${chargePointId}`, sk: 'CONN', connectionId, connectedAt: now.toISOString(), ttl: ttlIn(now, DAY_S) },
      },
    },
    { PutRequest: { Item: { pk: `WS#${connectionId}`, sk: 'CONN', chargePointId, booted, ttl: ttlIn(now, DAY_S) } } },
  ]);
};

export const getConnection = async (chargePointId: string): Promise<Connection | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `CP#${chargePointId}`, sk: 'CONN' } }));
  if (!res.Item) return undefined;
  return { connectionId: String(res.Item.connectionId), connectedAt: String(res.Item.connectedAt) };
};

/**
 * Booted connections, per warm Lambda: a connection id is never reused and, once booted, stays
 * booted, so every frame after the boot skips the read (API Gateway delivers no frame of a closed one).
 */
const bootedConnections = new Map<string, string>();
const rememberBooted = (connectionId: string, chargePointId: string): void => {
  if (bootedConnections.size > 20_000) bootedConnections.clear();
  bootedConnections.set(connectionId, chargePointId);
};

/** the charge point behind a WebSocket connection id, and whether it was accepted by a BootNotification */
export const chargePointOfConnection = async (connectionId: string): Promise<{ chargePointId: string; booted: boolean } | undefined> => {
  const known = bootedConnections.get(connectionId);
  if (known) return { chargePointId: known, booted: true };
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `WS#${connectionId}`, sk: 'CONN' } }));
  if (!res.Item) return undefined;
  const found = { chargePointId: String(res.Item.chargePointId), booted: res.Item.booted === true };
  if (found.booted) rememberBooted(connectionId, found.chargePointId);
  return found;
};

/**
 * A BootNotification was accepted: the connection and every later one of the charge point are
 * booted. `connectionBooted`: the connection already says so (a charge point booted before, whose
 * connect found its BOOT record: a restart's reconnect) — then only the boot time is written.
 */
export const markBooted = async (chargePointId: string, connectionId: string, now: Date, connectionBooted = false): Promise<void> => {
  rememberBooted(connectionId, chargePointId);
  await Promise.all([
    dynamo().send(new PutCommand({ TableName: table(), Item: { pk: `CP#${chargePointId}`, sk: 'BOOT', bootedAt: now.toISOString() } })),
    // the connection may be gone already (closed while booting): nothing to mark then
    connectionBooted ||
      conditionalWrite(
        dynamo(),
        new UpdateCommand({
          TableName: table(),
          Key: { pk: `WS#${connectionId}`, sk: 'CONN' },
          UpdateExpression: 'SET booted = :t',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':t': true },
        }),
      ),
  ]);
};

/**
 * Forgets a closed connection. The charge point's record goes only while it still names this
 * connection (a reconnect may already have replaced it): true when it was removed (the charge point is now disconnected).
 */
export const deleteConnection = async (chargePointId: string, connectionId: string): Promise<boolean> => {
  bootedConnections.delete(connectionId);
  await dynamo().send(new DeleteCommand({ TableName: table(), Key: { pk: `WS#${connectionId}`, sk: 'CONN' } }));
  const removed = await conditionalWrite(
    dynamo(),
    new DeleteCommand({
      TableName: table(),
      Key: { pk: `CP#${chargePointId}`, sk: 'CONN' },
      ConditionExpression: 'connectionId = :c',
      ExpressionAttributeValues: { ':c': connectionId },
    }),
  );
  if (removed)
    await dynamo().send(
      new PutCommand({ TableName: table(), Item: { pk: `CP#${chargePointId}`, sk: 'GONE', connectionId, ttl: ttlIn(new Date(), DAY_S) } }),
    );
  return removed;
};

/** the connection whose close last left the charge point disconnected */
export const lastLostConnection = async (chargePointId: string): Promise<string | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `CP#${chargePointId}`, sk: 'GONE' } }));
  return res.Item ? String(res.Item.connectionId) : undefined;
};

// ── outgoing calls ───────────────────────────────────────────────────────────────────────────

export interface PendingCall {
  messageId: string;
  chargePointId: string;
  action: string;
  StartChargeSeq?: string;
  ConnectorID?: string;
  /** a ReserveNow / CancelReservation: the reservation it is about (the reservation extension) */
  ReserveSeq?: string;
  expiresAt: number;
}

export const putPendingCall = async (c: PendingCall, now: Date): Promise<void> => {
  await dynamo().send(
    new PutCommand({
      TableName: table(),
      Item: { pk: `CALL#${c.messageId}`, sk: 'CALL', ...c, ttl: ttlIn(now, DAY_S) },
    }),
  );
};

/** Takes the pending call answered by `messageId` (removes it); undefined when unknown, already answered or timed out. */
export const takePendingCall = async (messageId: string): Promise<PendingCall | undefined> => {
  const res = await dynamo().send(
    new DeleteCommand({ TableName: table(), Key: { pk: `CALL#${messageId}`, sk: 'CALL' }, ReturnValues: 'ALL_OLD' }),
  );
  const i = res.Attributes;
  if (!i) return undefined;
  return {
    messageId,
    chargePointId: String(i.chargePointId),
    action: String(i.action),
    ...(i.StartChargeSeq ? { StartChargeSeq: String(i.StartChargeSeq) } : {}),
    ...(i.ConnectorID ? { ConnectorID: String(i.ConnectorID) } : {}),
    ...(i.ReserveSeq ? { ReserveSeq: String(i.ReserveSeq) } : {}),
    expiresAt: Number(i.expiresAt),
  };
};

/** what a charge point answered to one of our calls (kept a day: the operator CLI waits for it) */
export type CallAnswer = { kind: 'result'; payload: Record<string, unknown> } | { kind: 'error'; code: string; description: string };

export const putCallAnswer = async (messageId: string, answer: CallAnswer, now: Date): Promise<void> => {
  await dynamo().send(
    new PutCommand({ TableName: table(), Item: { pk: `CALL#${messageId}`, sk: 'ANSWER', answer, ttl: ttlIn(now, DAY_S) } }),
  );
};

export const getCallAnswer = async (messageId: string): Promise<CallAnswer | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `CALL#${messageId}`, sk: 'ANSWER' } }));
  return res.Item?.answer as CallAnswer | undefined;
};

// ── transactions and idTags ──────────────────────────────────────────────────────────────────

export interface IssuedTag {
  StartChargeSeq: string;
  ConnectorID: string;
  chargePointId: string;
}

export const putIssuedTag = async (idTag: string, t: IssuedTag, now: Date): Promise<void> => {
  await dynamo().send(new PutCommand({ TableName: table(), Item: { pk: `TAG#${idTag}`, sk: 'TAG', ...t, ttl: ttlIn(now, 7 * DAY_S) } }));
};

export const getIssuedTag = async (idTag: string): Promise<IssuedTag | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `TAG#${idTag}`, sk: 'TAG' } }));
  const i = res.Item;
  return i
    ? { StartChargeSeq: String(i.StartChargeSeq), ConnectorID: String(i.ConnectorID), chargePointId: String(i.chargePointId) }
    : undefined;
};

export interface Transaction {
  StartChargeSeq: string;
  ConnectorID: string;
  meterStartWh: number;
}

/**
 * Binds a transaction to its order, once: a retried StartTransaction finds the first binding
 * (returned with `created: false`) and changes nothing.
 */
export const bindTransaction = async (
  chargePointId: string,
  transactionId: number,
  tx: Transaction,
  now: Date,
): Promise<{ created: boolean; tx: Transaction }> => {
  const created = await conditionalWrite(
    dynamo(),
    new PutCommand({
      TableName: table(),
      Item: { pk: `TX#${chargePointId}#${transactionId}`, sk: 'TX', ...tx, ttl: ttlIn(now, 30 * DAY_S) },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  if (created) return { created, tx };
  return { created, tx: (await getTransaction(chargePointId, transactionId)) ?? tx };
};

export const getTransaction = async (chargePointId: string, transactionId: number): Promise<Transaction | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `TX#${chargePointId}#${transactionId}`, sk: 'TX' } }));
  const i = res.Item;
  return i
    ? { StartChargeSeq: String(i.StartChargeSeq), ConnectorID: String(i.ConnectorID), meterStartWh: Number(i.meterStartWh) }
    : undefined;
};
