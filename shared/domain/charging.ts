/**
 * Charging sessions — the rules (T/CEC 102 §3.5–3.14), pure and unit-tested; the handlers and
 * the order store apply them.
 *
 * Order state machine (StartChargeSeqStat):
 *
 *   starting(1) ──pile accepted──▶ charging(2) ──partner stop──▶ stopping(3) ──pile stopped──▶ finished(4)
 *       │                              │                              │
 *       ├─ pile refused / offline ─────┼── pile stopped on its own ───┴──▶ finished(4)
 *       └─ no answer within the timeout ────────────────────────────────▶ finished(4)
 *   unknown(5): only when the pile's state truly is unknown (a stop command that was never
 *   answered while the pile still reports charging); a later pile event resolves it.
 */
import type { StopCause } from '../../events/piles.ts';

export const OrderStatus = { Starting: 1, Charging: 2, Stopping: 3, Finished: 4, Unknown: 5 } as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

/** Connector status as T/CEC codes it (ConnectorStatusInfo.Status). */
export const ConnectorState = { Offline: 0, Idle: 1, Plugged: 2, Charging: 3, Reserved: 4, Fault: 255 } as const;

/**
 * query_equip_auth FailReason (§3.5): 0 none, 1 connector not plugged in, 2 device check failed.
 * We answer 2 for an unknown connector, one the partner is not granted (indistinguishable from
 * unknown, on purpose), an offline or faulted connector; 3 (custom) for a connector already in use
 * or reserved.
 */
export const AuthFail = { None: 0, NotPlugged: 1, DeviceCheckFailed: 2, InUse: 3 } as const;

/**
 * query_start_charge FailReason (§3.7): 0 none, 1 device does not exist, 2 device offline,
 * custom: 3 connector busy (another session holds it, or it is reserved), 4 connector faulted,
 * 5 connector not plugged in (only when the pile reports it unplugged explicitly), 6 no business
 * policy (the station has no time-of-use prices: a session could not be billed).
 * A connector the partner is not granted answers 1, exactly like one that does not exist.
 */
export const StartFail = { None: 0, NoDevice: 1, Offline: 2, Busy: 3, Fault: 4, NotPlugged: 5, NoPolicy: 6 } as const;

/**
 * query_stop_charge FailReason (§3.10): 0 none, 1 device (order) does not exist — also for another
 * partner's order —, 2 device offline, 3 already stopped.
 */
export const StopFail = { None: 0, NotFound: 1, Offline: 2, AlreadyStopped: 3 } as const;

/** StopReason (§3.12) from the pile's stop cause. */
export const stopReasonOf = (cause: StopCause): number => {
  switch (cause) {
    case 'local':
      return 0;
    case 'remote':
      return 1;
    case 'bms-full':
      return 2;
    case 'fault':
      return 3;
    case 'unplugged':
      return 4;
  }
};

/** StopReason for sessions that never ran: 5 custom "start failed" (refused, offline, timeout). */
export const STOP_REASON_START_FAILED = 5;
/** StopReason 6 custom: the pile stopped answering during the session; closed by the platform. */
export const STOP_REASON_PILE_SILENT = 6;

export const START_CHARGE_SEQ_LENGTH = 27;

/**
 * A StartChargeSeq we accept: 27 characters, the first 9 the calling partner's OperatorID
 * (§3 conventions). The Data schema already bounds it at 64 for lenient parsing; this is the rule.
 */
export const checkStartChargeSeq = (seq: string, operatorId: string): string | undefined => {
  if (seq.length !== START_CHARGE_SEQ_LENGTH) return `StartChargeSeq: must be ${START_CHARGE_SEQ_LENGTH} characters (got ${seq.length})`;
  if (!seq.startsWith(operatorId)) return `StartChargeSeq: must start with the caller's OperatorID ${operatorId}`;
  if (!/^[0-9A-Za-z]+$/.test(seq)) return 'StartChargeSeq: letters and digits only';
  return undefined;
};

export interface ConnectorFacts {
  /** the connector exists AND the partner may use it */
  known: boolean;
  status?: number;
  /** the connector has time-of-use prices */
  priced?: boolean;
}

export const authDecision = (c: ConnectorFacts): number => {
  if (!c.known) return AuthFail.DeviceCheckFailed;
  switch (c.status) {
    case ConnectorState.Plugged:
      return AuthFail.None;
    case ConnectorState.Idle:
      return AuthFail.NotPlugged;
    case ConnectorState.Charging:
    case ConnectorState.Reserved:
      return AuthFail.InUse;
    default:
      return AuthFail.DeviceCheckFailed; // offline, fault, unknown
  }
};

/**
 * May a session start on this connector? Idle and plugged connectors may (by default the driver
 * plugs in before asking; the pile refuses if not). Charging/reserved → busy.
 */
export const startDecision = (c: ConnectorFacts): number => {
  if (!c.known) return StartFail.NoDevice;
  if (c.priced === false) return StartFail.NoPolicy;
  switch (c.status) {
    case ConnectorState.Idle:
    case ConnectorState.Plugged:
      return StartFail.None;
    case ConnectorState.Offline:
    case undefined:
      return StartFail.Offline;
    case ConnectorState.Fault:
      return StartFail.Fault;
    default:
      return StartFail.Busy;
  }
};

/** Pile start refusal reasons → the order's finish reason, in words. */
export const refusalText: Record<string, string> = {
  offline: 'pile offline',
  fault: 'pile fault',
  busy: 'connector busy',
  'not-plugged': 'connector not plugged in',
  refused: 'pile refused the start',
};
