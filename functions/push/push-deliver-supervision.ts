/**
 * The supervision push lane (issue 13): the same deliverer as push-deliver, consuming
 * `push-supervision` with its own concurrency, so government platforms' timed pushes never wait
 * behind a slow commercial partner's backlog.
 */
import { deliveryHandler } from './push-deliver.ts';

export const handler = deliveryHandler('supervision');
