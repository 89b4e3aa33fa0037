/**
 * How an event is declared: once, here in `events/`, and imported by the producer, the consumer,
 * the topology (rule patterns) and the local bus alike (swarmion's contract idea, Powertools'
 * `EventBridgeSchema.extend({ detail })`).
 */

import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { z } from 'zod';
import type { EventPattern } from '../infra/topology/types.ts';

export interface EventContract<S extends z.ZodTypeAny = z.ZodTypeAny> {
  readonly source: string;
  readonly detailType: string;
  /** schema version of the detail; bump on a breaking change and keep consumers tolerant */
  readonly version: number;
  readonly description: string;
  readonly detail: S;
  /** the full EventBridge event a consumer receives */
  readonly envelope: z.ZodType<z.infer<typeof EventBridgeSchema> & { detail: z.infer<S> }>;
  readonly sample: z.infer<S>;
  /** the rule pattern that matches this event, optionally narrowed on detail fields */
  pattern(detail?: Record<string, unknown>): EventPattern;
}

export const defineEvent = <S extends z.ZodTypeAny>(def: {
  source: string;
  detailType: string;
  version: number;
  description: string;
  detail: S;
  sample: z.infer<S>;
}): EventContract<S> => {
  // fail fast at import time if a sample drifts from its schema
  def.detail.parse(def.sample);
  return {
    ...def,
    envelope: EventBridgeSchema.extend({ detail: def.detail }) as unknown as EventContract<S>['envelope'],
    pattern: (detail) => ({
      source: [def.source],
      'detail-type': [def.detailType],
      ...(detail ? { detail } : {}),
    }),
  };
};

export type DetailOf<C> = C extends EventContract<infer S> ? z.infer<S> : never;
