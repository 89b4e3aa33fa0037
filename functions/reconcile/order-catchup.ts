/** The order catch-up (Scheduler): re-push orders whose notification_charge_order_info was never confirmed. */
import { metrics } from '#powertools';
import { catchUpOrders } from '../../shared/services/reconcile.ts';

export const handler = async () => {
  try {
    return await catchUpOrders(new Date());
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
