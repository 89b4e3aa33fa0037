/**
 * Publish declared events to the platform's EventBridge bus (AWS_ENDPOINT_URL_EVENTBRIDGE points
 * the same SDK call at the local bus). The detail is validated against its contract before it
 * leaves, so a producer can never emit an event its consumers would reject.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import * as z from 'zod/mini';
import type { DetailOf, EventContract } from '../../events/define.ts';
import { config } from '../config.ts';
import { SDK_CLIENT_DEFAULTS } from '../sdk-clients.ts';

let client: EventBridgeClient | undefined;
const eventBridge = () => (client ??= new EventBridgeClient({ ...SDK_CLIENT_DEFAULTS }));

/** Forget the client (the local runtime, when a platform starts again in the same process on new endpoints). */
export const resetPublishClient = (): void => {
  client = undefined;
};

class PublishError extends Error {}

/** PutEvents takes at most 10 entries per call. */
const MAX_BATCH = 10;

export const publish = async <C extends EventContract>(contract: C, details: DetailOf<C> | readonly DetailOf<C>[]): Promise<void> => {
  const list = (Array.isArray(details) ? details : [details]) as readonly DetailOf<C>[];
  const entries: PutEventsRequestEntry[] = list.map((d) => ({
    EventBusName: config().EVENT_BUS_NAME,
    Source: contract.source,
    DetailType: contract.detailType,
    Detail: JSON.stringify(z.parse(contract.detail, d)),
  }));
  for (let i = 0; i < entries.length; i += MAX_BATCH) {
    const batch = entries.slice(i, i + MAX_BATCH);
    const res = await eventBridge().send(new PutEventsCommand({ Entries: batch }));
    if (res.FailedEntryCount) {
      const codes = (res.Entries ?? []).map((e) => e.ErrorCode).filter(Boolean);
      throw new PublishError(`${contract.detailType}: ${res.FailedEntryCount} event(s) not accepted (${codes.join(', ')})`);
    }
  }
};
