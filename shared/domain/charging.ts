/**
 * Charging sessions — the rules (T/CEC 102 §3.5–3.14), pure and unit-tested; the handlers and
 * the order store apply them.
 *
 * Order state machine (StartChargeSeqStat), ONE table: ORDER_TRANSITIONS below. The order store's
 * conditional writes take their `#s IN (…)` conditions from it (shared/store/orders.ts), so the
 * table is the whole truth of which event may move which order.
 *
 *   starting(1) ──pile-accepted──▶ charging(2) ──stop-requested──▶ stopping(3) ──pile-stopped──▶ finished(4)
 *       │  ▲                           │                               │
 *       │  └ stop-requested-while-     ├── pile-stopped (on its own) ──┴── stop-timeout ──────▶ finished(4)
 *       │    starting (remembered)     │
 *       ├─ pile-refused / start-not-sent / start-timeout / pile-stopped ───────────────────▶ finished(4)
 *   charging(2) ──stranded (the pile vanished mid-session: shared/domain/stranded.ts) ──────────▶ finished(4)
 *
 * There is no "unknown" order state: a stop the pile never confirms is closed by its stop timeout
 * on the last meter reading. StartChargeSeqStat 5 (未知, unknown) is only the protocol's answer
 * for an order we do not know (SEQ_STAT_UNKNOWN).
 */
import type { StopCause } from '../../events/piles.ts';
import { yuanToFen } from '../tcec/money.ts';
import type { InvoiceOrderFacts } from './invoices.ts';
import type { PayAfterFacts, Payment } from './pay-after.ts';

export const OrderStatus = { Starting: 1, Charging: 2, Stopping: 3, Finished: 4 } as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

/** StartChargeSeqStat 5 "unknown" (§3.7): what query_stop_charge answers for an order we do not know. Never an order's status. */
export const SEQ_STAT_UNKNOWN = 5 as const;

const { Starting, Charging, Stopping, Finished } = OrderStatus;

/**
 * Every event that may change an order: the statuses it applies to, and the status it leads to.
 * An event in any other status changes nothing (a late, duplicate or reordered delivery).
 */
export const ORDER_TRANSITIONS = {
  /** the pile confirmed the start */
  'pile-accepted': { from: [Starting], to: Charging },
  /** the pile refused the start (offline, fault, busy, not plugged) */
  'pile-refused': { from: [Starting], to: Finished },
  /** the start command could not be sent */
  'start-not-sent': { from: [Starting], to: Finished },
  /** the pile did not answer the start in time */
  'start-timeout': { from: [Starting], to: Finished },
  /** a partner's stop while the start is unconfirmed: remembered, executed when the pile confirms */
  'stop-requested-while-starting': { from: [Starting], to: Starting },
  /** a partner's stop of a running session */
  'stop-requested': { from: [Charging], to: Stopping },
  /** a meter sample: kept while the order is open, the status does not change */
  'meter-sample': { from: [Starting, Charging, Stopping], to: undefined },
  /** the pile ended the session (on its own, or after a stop) */
  'pile-stopped': { from: [Starting, Charging, Stopping], to: Finished },
  /** the pile did not confirm the stop in time: closed on the last reading */
  'stop-timeout': { from: [Stopping], to: Finished },
  /** the pile vanished mid-session (no stop will come): closed on the last reading (shared/domain/stranded.ts) */
  stranded: { from: [Charging], to: Finished },
} as const satisfies Record<string, { from: readonly OrderStatus[]; to: OrderStatus | undefined }>;

export type OrderEvent = keyof typeof ORDER_TRANSITIONS;
/** the events that finish an order */
export type FinishEvent = { [E in OrderEvent]: (typeof ORDER_TRANSITIONS)[E]['to'] extends typeof Finished ? E : never }[OrderEvent];

/** The statuses in which `event` applies. */
export const allowedFrom = (event: OrderEvent): readonly OrderStatus[] => ORDER_TRANSITIONS[event].from;

/** The status after `event` in `status`; undefined when the event does not apply there. */
export const nextStatus = (status: OrderStatus, event: OrderEvent): OrderStatus | undefined => {
  const t: { from: readonly OrderStatus[]; to: OrderStatus | undefined } = ORDER_TRANSITIONS[event];
  if (!t.from.includes(status)) return undefined;
  return t.to ?? status;
};

/** An order is open until it is finished. */
export const isOpen = (status: OrderStatus): boolean => status !== Finished;

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

/**
 * A start confirmation (the pile accepted; `at` its start time) for an order that is no longer
 * starting — the redelivery of one already applied, or a late one:
 *   - `stop-pile`: the order was closed uncharged (the start timed out or was given up) and the pile
 *     started after all: stop it, nobody pays for this;
 *   - `again`: the very confirmation that started this order (the start time it stored), running or
 *     stopping: its first handling may have failed after the order moved to charging and before the
 *     platform was told (OrderStarted) or the stop asked for while starting was sent, so both are done
 *     again (the same event: the same push id, deduplicated downstream);
 *   - `ignore`: another start time (a pile's stray or repeated start), or an order that finished
 *     after charging (its start result and its end were told already, or are stale behind its end).
 */
type RepeatedStart = 'stop-pile' | 'again' | 'ignore';

export const repeatedStartConfirmation = (o: { status: OrderStatus; charged?: boolean; startedAt?: string }, at: Date): RepeatedStart => {
  if (o.status === Finished) return o.charged ? 'ignore' : 'stop-pile';
  if ((o.status === Charging || o.status === Stopping) && o.startedAt === at.toISOString()) return 'again';
  return 'ignore';
};

/**
 * An order that ended as a start that never began (the pile refused it, or never answered: finished
 * unbilled with StopReason 5): its partner is owed a failed start result (notification_start_charge_result,
 * StartChargeSeqStat 4), told again when the event that ended it is redelivered.
 */
export const isFailedStart = (o: { status: OrderStatus; charged?: boolean; stopReason?: number; startedAt?: string }): boolean =>
  o.status === Finished && !o.charged && o.stopReason === STOP_REASON_START_FAILED && o.startedAt === undefined;

const START_CHARGE_SEQ_LENGTH = 27;

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

/**
 * What the money rules need of a stored order — the settlement of a pay-after order
 * (shared/domain/pay-after.ts PayAfterFacts) and an invoice (shared/domain/invoices.ts
 * InvoiceOrderFacts) — from ONE mapping: finished means finished with a final bill, whose
 * TotalMoney is counted in fen; the order's payment and invoice marks as stored.
 */
export const billedOrderFacts = (o: {
  StartChargeSeq: string;
  OperatorID: string;
  ConnectorID: string;
  status: OrderStatus;
  bill?: { TotalMoney: number } | undefined;
  paid?: Payment | undefined;
  invoiceSeq?: string | undefined;
}): InvoiceOrderFacts & PayAfterFacts => ({
  StartChargeSeq: o.StartChargeSeq,
  OperatorID: o.OperatorID,
  ConnectorID: o.ConnectorID,
  finished: o.status === OrderStatus.Finished && !!o.bill,
  totalFen: o.bill ? yuanToFen(o.bill.TotalMoney) : 0,
  paid: o.paid,
  invoiceSeq: o.invoiceSeq,
});
