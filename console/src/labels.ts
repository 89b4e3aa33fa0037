/** T/CEC 102 codes in words (ConnectorStatusInfo §3.2, StartChargeSeqStat §3.7). */
export const CONNECTOR_STATUS: Record<number, string> = {
  0: 'offline',
  1: 'idle',
  2: 'occupied, not charging',
  3: 'occupied, charging',
  4: 'reserved',
  255: 'fault',
};
export const ORDER_STATUS: Record<number, string> = { 1: 'starting', 2: 'charging', 3: 'stopping', 4: 'finished' };
export const DISPUTE_REASON: Record<number, string> = { 1: 'not found', 2: 'amount', 3: 'energy' };

export const label = (codes: Record<number, string>, v: number | undefined): string => (v === undefined ? '—' : (codes[v] ?? `code ${v}`));
export const money = (v: number | undefined): string => (v === undefined ? '—' : `¥${v.toFixed(2)}`);
export const time = (iso: string | undefined): string => (iso ? new Date(iso).toLocaleString() : '—');
