/**
 * The keys every log line about one delivery carries, so a search (or `evcs trace`) by the order's
 * StartChargeSeq or the connector's ConnectorID finds its pushes and their attempts too.
 */
import type { Delivery } from './messages.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export const deliveryLogKeys = (m: Delivery): Record<string, string> => {
  const status = m.data.ConnectorStatusInfo as { ConnectorID?: unknown } | undefined;
  const seq = str(m.data.StartChargeSeq);
  const connector = str(m.data.ConnectorID) ?? str(status?.ConnectorID);
  return {
    interface: m.iface,
    OperatorID: m.partner,
    id: m.id,
    ...(seq ? { StartChargeSeq: seq } : {}),
    ...(connector ? { ConnectorID: connector } : {}),
  };
};
