/** Scheduled (every 5 min): notification_realtime_power_info to the supervision platforms whose interval is due. */
import { runRealtimePower } from '../../shared/services/dxp-triggers.ts';

export const handler = async () => runRealtimePower(Date.now());
