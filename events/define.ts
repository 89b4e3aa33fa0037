/**
 * How an event is declared: once, here in `events/`, and imported by the producer, the consumer,
 * the topology (rule patterns) and the local bus alike (swarmion's contract idea, Powertools'
 * `EventBridgeSchema.extend({ detail })`).
 *
 * zod/mini, not classic zod: every function bundles this file, and classic zod weighs ~250 KB more
 * minified (bench/coldstart.bench.ts). The envelope is therefore written here, the fields of
 * Powertools' classic `EventBridgeSchema` in mini. Contracts are written with the functional API
 * both flavours accept (`z.optional(x)`, `x.check(z.maxLength(64))`), and `defineEvent` /
 * `defineQueue` take any zod 4 schema (`z.core.$ZodType`): a classic one still composes.
 */

import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import type { EventPattern, QueueDecl } from '../infra/topology/types.ts';
import { once } from '../shared/domain/once.ts';

// zod/mini carries no messages of its own: the English ones, as classic zod prints them (queue errors quote them)
z.config(en());

/** any zod 4 schema, mini or classic */
type Schema = z.core.$ZodType;

/** The EventBridge envelope's own fields (as Powertools' `EventBridgeSchema`), in zod/mini. */
const buildEnvelopeFields = () => ({
  version: z.string(),
  id: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'replay-name': z.optional(z.string()),
});
const envelopeFields = /* @__PURE__ */ once(buildEnvelopeFields);

/** The full EventBridge event of one contract: `source` and `detail-type` are its literals. */
type EnvelopeSchema<S extends Schema = Schema, D extends string = string> = z.ZodMiniObject<
  ReturnType<typeof buildEnvelopeFields> & {
    source: z.ZodMiniLiteral<string>;
    'detail-type': z.ZodMiniLiteral<D>;
    detail: S;
  },
  z.core.$strip
>;

export interface EventContract<S extends Schema = Schema, D extends string = string> {
  readonly source: string;
  readonly detailType: D;
  /** schema version of the detail; bump on a breaking change and keep consumers tolerant */
  readonly version: number;
  readonly description: string;
  readonly detail: S;
  /** the full EventBridge event a consumer receives (its `detail-type` is this contract's) */
  readonly envelope: EnvelopeSchema<S, D>;
  readonly sample: z.infer<S>;
  /** the rule pattern that matches this event, optionally narrowed on detail fields */
  pattern(detail?: Record<string, unknown>): EventPattern;
}

/**
 * A contract's schemas (its detail and envelope) are built on first use, not at import (issue 9
 * §4): every function imports the event catalogs whole and uses a few of their contracts, and
 * building every schema (and parsing every sample) cost 7–11 ms of CPU at each cold start of the
 * functions that import them (bench/coldstart.bench.ts, A/B at load ~18). A sample
 * that drifts from its schema fails `test/unit/events/contracts.test.ts`, not the import.
 */
export const defineEvent = <S extends Schema, const D extends string>(def: {
  source: string;
  detailType: D;
  version: number;
  description: string;
  /** the detail's schema, built on first use */
  detail: () => S;
  sample: z.infer<S>;
}): EventContract<S, D> => {
  const detail = once(def.detail);
  const envelope = once(
    () =>
      z.object({
        ...envelopeFields(),
        source: z.literal(def.source),
        'detail-type': z.literal(def.detailType),
        detail: detail(),
      }) as EnvelopeSchema<S, D>,
  );
  return {
    source: def.source,
    detailType: def.detailType,
    version: def.version,
    description: def.description,
    sample: def.sample,
    get detail() {
      return detail();
    },
    get envelope() {
      return envelope();
    },
    pattern: (detail) => ({
      source: [def.source],
      'detail-type': [def.detailType],
      ...(detail ? { detail } : {}),
    }),
  };
};

export type DetailOf<C> = C extends EventContract<infer S, string> ? z.infer<S> : never;
/** The full EventBridge event of a contract, as its consumer receives it. */
type EnvelopeOf<C> = C extends EventContract<infer S, infer D> ? z.infer<EnvelopeSchema<S, D>> : never;

// -- queues ----------------------------------------------------------------------------------------

/** A queue's settings, as the topology declares them (the body or the subscribed events come apart). */
export type QueueSettings = Omit<QueueDecl, 'subscribe'>;

/** A message the queue's contract refuses: not JSON, or not its body schema (send and parse alike). */
export class QueueMessageError extends Error {
  override readonly name = 'QueueMessageError';
  constructor(
    readonly queue: string,
    message: string,
  ) {
    super(`queue ${queue}: ${message}`);
  }
}

const describeIssues = (error: z.core.$ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`)
    .join('; ');

export interface QueueContract<Out = unknown> {
  readonly name: string;
  /** the topology entry: `infra/topology/*.ts` list it, the stack and the local runtime read it */
  readonly decl: QueueDecl;
  readonly body: Schema;
  /** the consumer's parser: a record's body → the typed message, or a QueueMessageError */
  parse(raw: string): Out;
}

/** A queue our own code sends to: the body is ours, validated before it leaves. */
export interface MessageQueue<S extends Schema = Schema> extends QueueContract<z.output<S>> {
  readonly body: S;
  /** the producer's side: validate a body and write it as the message text (shared/bus/send.ts sends it) */
  serialize(body: z.input<S>): string;
}

/** The envelope fields a direct sender fills in (EventBridge fills them for a rule's target). */
interface EnvelopeMeta {
  id: string;
  time: string;
  region: string;
  account: string;
}

/**
 * A queue EventBridge rules feed: the body is the envelope of one of the subscribed events (`events`,
 * one rule each) or of one of the events its producer sends straight to the queue (`direct`, no rule:
 * the same envelope, written by `serializeEvent`, so the consumer cannot tell the two paths apart).
 */
export interface EventQueue<E extends readonly EventContract[] = readonly EventContract[], D extends readonly EventContract[] = readonly []>
  extends QueueContract<EnvelopeOf<E[number] | D[number]>> {
  readonly events: E;
  readonly direct: D;
  /** the producer's side of a direct event: validate the detail and write the envelope as the message text */
  serializeEvent<C extends D[number]>(contract: C, detail: DetailOf<C>, meta: EnvelopeMeta): string;
}

export function defineQueue<
  const E extends readonly [EventContract, ...EventContract[]],
  const D extends readonly EventContract[] = readonly [],
>(def: QueueSettings & { subscribe: E; direct?: D }): EventQueue<E, D>;
/** `body` is the message schema, built on first use (as an event's detail). */
export function defineQueue<S extends Schema>(def: QueueSettings & { body: () => S }): MessageQueue<S>;
export function defineQueue(
  def: QueueSettings & { body?: () => Schema; subscribe?: readonly EventContract[]; direct?: readonly EventContract[] },
): QueueContract {
  const { body: ownBody, subscribe, direct = [], ...settings } = def;
  const name = settings.name;
  const decl: QueueDecl = { ...settings, ...(subscribe ? { subscribe: subscribe.map((e) => e.pattern()) } : {}) };

  if (subscribe) {
    const all = [...subscribe, ...direct];
    const detailTypes = all.map((e) => e.detailType);
    if (!all.length) throw new Error(`queue ${name}: subscribe names no event`);
    // the union of the subscribed envelopes, built on first use
    const body = once((): Schema => {
      const [first, ...rest] = all.map((e) => e.envelope);
      return first && rest.length ? z.discriminatedUnion('detail-type', [first, ...rest]) : (first as Schema);
    });
    const parse = (raw: string): unknown => {
      const json = parseJson(name, raw);
      const type = (json as { 'detail-type'?: unknown } | null)?.['detail-type'];
      if (typeof type !== 'string' || !detailTypes.includes(type))
        throw new QueueMessageError(name, `unexpected detail-type ${JSON.stringify(type)} (subscribed: ${detailTypes.join(', ')})`);
      return check(name, body(), json, 'malformed event');
    };
    const serializeEvent = (contract: EventContract, detail: unknown, meta: EnvelopeMeta): string => {
      if (!direct.includes(contract)) throw new QueueMessageError(name, `${contract.detailType} is not sent straight to this queue`);
      const envelope = { version: '0', ...meta, source: contract.source, 'detail-type': contract.detailType, resources: [], detail };
      return JSON.stringify(check(name, contract.envelope, envelope, 'refused by send'));
    };
    return {
      name,
      decl,
      get body() {
        return body();
      },
      events: subscribe,
      direct,
      parse,
      serializeEvent,
    } as unknown as EventQueue;
  }

  if (!ownBody) throw new Error(`queue ${name}: declare a body schema or the events it subscribes to`);
  const body = once(ownBody);
  const contract: MessageQueue = {
    name,
    decl,
    get body() {
      return body();
    },
    parse: (raw) => check(name, body(), parseJson(name, raw), 'malformed message'),
    serialize: (b) => JSON.stringify(check(name, body(), b, 'refused by send')),
  };
  return contract;
}

const parseJson = (queue: string, raw: string): unknown => {
  try {
    return JSON.parse(raw);
  } catch {
    throw new QueueMessageError(queue, 'message body is not JSON');
  }
};

const check = (queue: string, schema: Schema, value: unknown, what: string): unknown => {
  const r = z.safeParse(schema, value);
  if (!r.success) throw new QueueMessageError(queue, `${what}: ${describeIssues(r.error)}`);
  return r.data;
};
