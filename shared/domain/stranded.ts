/**
 * Stranded sessions: a pile killed mid-session (power cut, crash, lost connection) never sends its
 * StopTransaction, so its order would stay charging(2) forever and hold the connector. The rule
 * that ends such an order, pure (the sweep in shared/services/charging.ts applies it):
 *
 *   An order in charging is STRANDED when its last sign of life (the newest meter reading folded into
 *   its running bill; the confirmed start before any reading) is older than
 *     - `offlineSeconds` while its connector has been offline (T/CEC 0) for at least as long, or
 *     - `idleSeconds`    while its connector has been idle/Available (T/CEC 1: no cable, no session)
 *                        for at least as long, or
 *     - `silentSeconds`  whatever the connector reports (a pile that says "charging" but meters nothing).
 *   A meter reading younger than the threshold that applies keeps the order alive, always.
 *
 * Defaults (env STRANDED_OFFLINE_SECONDS / STRANDED_IDLE_SECONDS / STRANDED_SILENT_SECONDS): 15 min
 * offline (an OCPP pile reconnecting after a network blip replays its queued StopTransaction well
 * within it), 10 min idle, 30 min silent (a pile sends a MeterValues every 15–60 s; 30 min without
 * one is no pause).
 *
 * The stranded order ends as a stop does: billed by the one billing function over its last known
 * meter values (nothing is estimated past the last reading), EndTime = that reading's time, and the
 * StopReason (§3.12) says why, in the protocol's codes where one fits:
 *   connector offline → 3 (充电机设备故障, charger fault: the pile vanished mid-session)
 *   connector idle    → 4 (连接器断开, connector disconnected: unplugged without a StopTransaction)
 *   meter silent      → 6 (custom, STOP_REASON_PILE_SILENT: the pile stopped reporting)
 */
import { ConnectorState, OrderStatus, STOP_REASON_PILE_SILENT } from './charging.ts';

export interface StrandedPolicy {
  /** connector offline and no meter reading for this long */
  offlineSeconds: number;
  /** connector idle (Available) and no meter reading for this long */
  idleSeconds: number;
  /** no meter reading for this long, whatever the connector reports */
  silentSeconds: number;
}

export const DEFAULT_STRANDED_POLICY: StrandedPolicy = { offlineSeconds: 900, idleSeconds: 600, silentSeconds: 1800 };

export type StrandedCause = 'connector-offline' | 'connector-idle' | 'meter-silent';

/** The §3.12 StopReason of each cause (see the header). */
const STRANDED_STOP_REASON: Record<StrandedCause, number> = {
  'connector-offline': 3,
  'connector-idle': 4,
  'meter-silent': STOP_REASON_PILE_SILENT,
};

export interface StrandedFacts {
  status: OrderStatus;
  /** epoch ms of the last sign of life: the newest folded meter reading (the start's, before any) */
  lastReadingAt: number;
  /** the connector's stored live status and when it was observed; undefined when unknown */
  connector?: { status: number; observedAt: number } | undefined;
}

export type StrandedVerdict =
  | { stranded: false }
  | { stranded: true; cause: StrandedCause; stopReason: number; endedAt: number; reason: string };

/** The shortest quiet time after which an order can be stranded: the sweep reads only orders older than this. */
export const minStrandedSeconds = (p: StrandedPolicy): number => Math.min(p.offlineSeconds, p.idleSeconds, p.silentSeconds);

const minutes = (s: number) => (s % 60 === 0 ? `${s / 60} min` : `${s} s`);

/** Is this order stranded at `now`? */
export const strandedVerdict = (f: StrandedFacts, p: StrandedPolicy, now: number): StrandedVerdict => {
  if (f.status !== OrderStatus.Charging) return { stranded: false };
  const quietMs = now - f.lastReadingAt;
  const c = f.connector;
  const ended = (cause: StrandedCause, reason: string): StrandedVerdict => ({
    stranded: true,
    cause,
    stopReason: STRANDED_STOP_REASON[cause],
    endedAt: f.lastReadingAt,
    reason: `${reason}; ended by the platform on the last meter reading`,
  });
  if (c && (c.status === ConnectorState.Offline || c.status === ConnectorState.Idle)) {
    const offline = c.status === ConnectorState.Offline;
    const limitMs = (offline ? p.offlineSeconds : p.idleSeconds) * 1000;
    if (quietMs >= limitMs && now - c.observedAt >= limitMs)
      return ended(
        offline ? 'connector-offline' : 'connector-idle',
        `connector ${offline ? 'offline' : 'idle'} and no meter reading for ${minutes(limitMs / 1000)} or more`,
      );
  }
  if (quietMs >= p.silentSeconds * 1000) return ended('meter-silent', `no meter reading for ${minutes(p.silentSeconds)} or more`);
  return { stranded: false };
};
