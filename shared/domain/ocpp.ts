/**
 * OCPP 1.6J, the pure part: the RPC frame (CALL / CALLRESULT / CALLERROR), the mapping of what a
 * charge point says onto the platform's pile vocabulary (connector status, stop cause, meter
 * readings) and the identifiers we hand to charge points (idTag, transactionId). No I/O: the
 * gateway service (shared/services/ocpp.ts) applies these with the store and the bus.
 */
import { createHash } from 'node:crypto';

export const OCPP_SUBPROTOCOL = 'ocpp1.6';

/** OCPP-J §4.2.3 error codes (1.6 spells "OccurenceConstraintViolation" with one r) */
export type OcppErrorCode =
  | 'NotImplemented'
  | 'NotSupported'
  | 'InternalError'
  | 'ProtocolError'
  | 'SecurityError'
  | 'FormationViolation'
  | 'PropertyConstraintViolation'
  | 'OccurenceConstraintViolation'
  | 'TypeConstraintViolation'
  | 'GenericError';

export type Frame =
  | { kind: 'call'; id: string; action: string; payload: Record<string, unknown> }
  | { kind: 'result'; id: string; payload: Record<string, unknown> }
  | { kind: 'error'; id: string; code: string; description: string; details: unknown }
  /** not an OCPP-J frame; `id` when one could be read (the CALLERROR answers it) */
  | { kind: 'malformed'; id: string | undefined; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads one WebSocket text message as an OCPP-J frame; never throws. */
export const parseFrame = (text: string): Frame => {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { kind: 'malformed', id: undefined, reason: 'not JSON' };
  }
  if (!Array.isArray(msg)) return { kind: 'malformed', id: undefined, reason: 'not a JSON array' };
  const [type, id] = msg;
  if (typeof id !== 'string' || id.length === 0 || id.length > 36)
    return { kind: 'malformed', id: undefined, reason: 'message id must be a string of 1–36 characters' };
  if (type === 2) {
    if (msg.length !== 4 || typeof msg[2] !== 'string' || !isObject(msg[3]))
      return { kind: 'malformed', id, reason: 'a CALL is [2, id, action, {payload}]' };
    return { kind: 'call', id, action: msg[2], payload: msg[3] };
  }
  if (type === 3) {
    if (msg.length !== 3 || !isObject(msg[2])) return { kind: 'malformed', id, reason: 'a CALLRESULT is [3, id, {payload}]' };
    return { kind: 'result', id, payload: msg[2] };
  }
  if (type === 4) {
    if (msg.length !== 5 || typeof msg[2] !== 'string' || typeof msg[3] !== 'string')
      return { kind: 'malformed', id, reason: 'a CALLERROR is [4, id, code, description, {details}]' };
    return { kind: 'error', id, code: msg[2], description: msg[3], details: msg[4] };
  }
  return { kind: 'malformed', id, reason: `unknown message type ${JSON.stringify(type)}` };
};

export const callFrame = (id: string, action: string, payload: object): string => JSON.stringify([2, id, action, payload]);
export const resultFrame = (id: string, payload: object): string => JSON.stringify([3, id, payload]);
export const errorFrame = (id: string, code: OcppErrorCode, description: string, details: object = {}): string =>
  JSON.stringify([4, id, code, description.slice(0, 255), details]);

// ── charge point → platform ──────────────────────────────────────────────────────────────────

/** what a charge point may send us (1.6 core + DataTransfer); anything else is NotImplemented */
export const INCOMING_ACTIONS = [
  'BootNotification',
  'Heartbeat',
  'StatusNotification',
  'Authorize',
  'StartTransaction',
  'MeterValues',
  'StopTransaction',
  'DataTransfer',
  'DiagnosticsStatusNotification',
  'FirmwareStatusNotification',
] as const;
export type IncomingAction = (typeof INCOMING_ACTIONS)[number];
export const isIncomingAction = (a: string): a is IncomingAction => (INCOMING_ACTIONS as readonly string[]).includes(a);

/** the commands the platform sends a charge point and waits for (a pending call each: shared/services/ocpp.ts sendCall) */
export const OUTGOING_ACTIONS = [
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'ReserveNow',
  'CancelReservation',
  'Reset',
  'UnlockConnector',
  'ChangeAvailability',
  'TriggerMessage',
] as const;
export type OutgoingAction = (typeof OUTGOING_ACTIONS)[number];

/** the platform's fire-and-log call: the metering it sets after a boot (no pending call; shared/services/ocpp.ts configureMetering) */
export const CONFIGURE_ACTION = 'ChangeConfiguration';

/** the actions a charge point may send before it is accepted by BootNotification (OCPP 1.6 §4.2) */
export const BEFORE_BOOT: ReadonlySet<string> = new Set(['BootNotification']);

export type OcppStatus =
  | 'Available'
  | 'Preparing'
  | 'Charging'
  | 'SuspendedEVSE'
  | 'SuspendedEV'
  | 'Finishing'
  | 'Reserved'
  | 'Unavailable'
  | 'Faulted';

/** StatusNotification.status → T/CEC ConnectorStatus (0 offline is the disconnect, never a status) */
export const connectorStatusOf = (s: OcppStatus): 1 | 2 | 3 | 4 | 255 => {
  switch (s) {
    case 'Available':
      return 1;
    case 'Preparing':
    case 'Finishing':
      return 2;
    case 'Charging':
    case 'SuspendedEV':
    case 'SuspendedEVSE':
      return 3;
    case 'Reserved':
      return 4;
    case 'Unavailable':
    case 'Faulted':
      return 255;
  }
};

/** StopTransaction.reason (default Local) → the platform's StopCause */
export const stopCauseOf = (reason: string | undefined): 'remote' | 'bms-full' | 'fault' | 'unplugged' | 'local' => {
  switch (reason) {
    case 'Remote':
      return 'remote';
    case 'EVDisconnected':
      return 'unplugged';
    case 'EmergencyStop':
    case 'PowerLoss':
    case 'Reboot':
    case 'HardReset':
    case 'SoftReset':
    case 'UnlockCommand':
    case 'DeAuthorized':
      return 'fault';
    default:
      return 'local';
  }
};

export interface SampledValue {
  value: string;
  measurand?: string;
  unit?: string;
  phase?: string;
  context?: string;
}

/** what one MeterValues sample says, in the platform's units (Wh, kW, A, V, %) */
export interface MeterReading {
  registerWh?: number;
  powerKw?: number;
  currentA?: number;
  currentB?: number;
  currentC?: number;
  voltageA?: number;
  voltageB?: number;
  voltageC?: number;
  soc?: number;
}

const SCALE: Readonly<Record<string, number>> = { Wh: 1, kWh: 1000, W: 0.001, kW: 1, A: 1, V: 1, Percent: 1 };

/**
 * One meterValue's sampled values → readings. The measurand defaults to
 * Energy.Active.Import.Register and its unit to Wh (OCPP 1.6 §7.45); kWh/W are converted; values
 * that are not numbers or are in an unknown unit are left out. Per-phase current/voltage goes to
 * A/B/C (L1/L2/L3; a value without a phase is phase A).
 */
export const readingOf = (values: readonly SampledValue[]): MeterReading => {
  const r: MeterReading = {};
  for (const v of values) {
    const measurand = v.measurand ?? 'Energy.Active.Import.Register';
    const n = Number(v.value);
    if (!Number.isFinite(n)) continue;
    const unit = v.unit ?? (measurand === 'SoC' ? 'Percent' : measurand.startsWith('Energy') ? 'Wh' : undefined);
    const scale = unit === undefined ? 1 : SCALE[unit];
    if (scale === undefined) continue;
    const x = n * scale;
    const phase = v.phase?.startsWith('L2') ? 'B' : v.phase?.startsWith('L3') ? 'C' : 'A';
    if (measurand === 'Energy.Active.Import.Register') r.registerWh = x;
    else if (measurand === 'Power.Active.Import') r.powerKw = (r.powerKw ?? 0) + x;
    else if (measurand === 'Current.Import') r[`current${phase}`] = x;
    else if (measurand === 'Voltage') r[`voltage${phase}`] = x;
    else if (measurand === 'SoC') r.soc = Math.min(100, Math.max(0, x));
  }
  return r;
};

// ── identifiers we hand out ──────────────────────────────────────────────────────────────────

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** the idTag (CiString20) a RemoteStartTransaction carries for an order: derived from StartChargeSeq */
export const idTagOf = (startChargeSeq: string): string =>
  `EV${digest(`idTag:${startChargeSeq}`).toString('hex').slice(0, 18).toUpperCase()}`;

/**
 * The transactionId of an order's session: derived from StartChargeSeq (31 bits, positive), so a
 * StartTransaction retried after a lost CALLRESULT gets the same id and a RemoteStop needs no lookup.
 */
export const transactionIdOf = (startChargeSeq: string): number => digest(`tx:${startChargeSeq}`).readUInt32BE(0) & 0x7fffffff || 1;

/** OCPP connector n (1-based) of a charge point ↔ the T/CEC ConnectorID (ConnectorInfos in order) */
export const connectorIdAt = (connectors: readonly string[], n: number): string | undefined =>
  Number.isInteger(n) && n >= 1 ? connectors[n - 1] : undefined;

/** HTTP Basic `Authorization` header → user and password; undefined when absent or not Basic */
export const basicCredentials = (header: string | undefined): { user: string; password: string } | undefined => {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? undefined : { user: text.slice(0, i), password: text.slice(i + 1) };
};

/** The charge points of a set of stations: each EquipmentID, its ConnectorIDs in order (OCPP connectors 1..n), its StationID. */
export const chargePointsOf = (
  stations: readonly {
    StationID?: string;
    EquipmentInfos: readonly { EquipmentID: string; ConnectorInfos: readonly { ConnectorID: string }[] }[];
  }[],
): { chargePointId: string; connectors: string[]; stationId?: string }[] =>
  stations.flatMap((st) =>
    st.EquipmentInfos.map((e) => ({
      chargePointId: e.EquipmentID,
      connectors: e.ConnectorInfos.map((c) => c.ConnectorID),
      ...(st.StationID ? { stationId: st.StationID } : {}),
    })),
  );
