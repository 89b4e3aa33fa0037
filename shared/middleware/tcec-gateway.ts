/**
 * The T/CEC 102 request pipeline — one place, one middy middleware, used by every interface we serve:
 *
 *   body size → envelope shape (4003) → partner by OperatorID (4003) → Sig (4001)
 *   → the partner's profile, its deployment (core or its OEM's stack) and its path prefix (HTTP 404,
 *     signed 4003) → partner's rate limit (-1)
 *   → Bearer token (4002) → TimeStamp window (4003) → replay (4003)
 *   → roaming role: an operator-side interface for a partner that does not roam in (4004) → decrypt (4003)
 *   → zod validation of Data (4004)
 *   → business handler → response checked against the catalog's response schema (500 if it does
 *     not match) → written in the partner's profile (its dialect plus its field changes),
 *     encrypted and signed. The request Data is read through the same profile, leniently.
 *
 * The interface name types everything: `tcecHandler('query_start_charge', ({ data }) => …)` gives the
 * business function `RequestData<'query_start_charge'>` and requires `ResponseInput<'query_start_charge'>`
 * back, both inferred from the catalog (shared/tcec/interfaces.ts) — no type parameters at call sites.
 *
 * Every protocol outcome is HTTP 200 with a Ret. Error responses carry Data "" and are signed
 * with the partner's inbound SigSecret — also a malformed envelope whose OperatorID names an active
 * partner. Unsigned only when the caller is unknown (there is no key to sign with) or the body is
 * over the size limit (refused before it is parsed). An unexpected exception becomes a signed Ret 500 and ONE log line with the
 * cause; so does a response that does not match the catalog (a programming error: the log line
 * names the interface and the offending field, never the data). Nothing secret, no token and no decrypted Data is ever logged (lengths and hashes only).
 */
import { createHash } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger, MetricUnit, metrics } from '#powertools';
import { config } from '../config.ts';
import { profileOf, servedByOf } from '../domain/partner-profile.ts';
import { roamingOf } from '../domain/partners.ts';
import { acceptedInboundSets } from '../domain/token.ts';
import { getPartner, type Partner } from '../store/partners.ts';
import { getPartnerSecrets } from '../store/secrets.ts';
import { resolveToken } from '../store/tokens.ts';
import type { SecretSet } from '../tcec/crypto.ts';
import { ContractError } from '../tcec/dialect.ts';
import { decodeRequestData, encodeResponse, parseRequestEnvelope, type RequestEnvelope, verifyRequestSig } from '../tcec/envelope.ts';
import { INTERFACES, type InterfaceName, isExtension, type RequestData, type ResponseInput } from '../tcec/interfaces.ts';
import { type Profile, profileEnables, profileFromWire, profileToWire } from '../tcec/profiles.ts';
import { Ret, TcecError } from '../tcec/ret.ts';
import { parseTimeStamp } from '../tcec/time.ts';
import { admitWithinRateLimit, refuseReplay } from './partner-guards.ts';

export interface TcecRequest<D = unknown, N extends InterfaceName = InterfaceName> {
  readonly interface: N;
  readonly partner: Partner;
  /** the inbound set the request verified with (current, or the previous one during a rotation grace period) */
  readonly secrets: SecretSet;
  readonly envelope: RequestEnvelope;
  /** Data after decryption, lenient parsing and validation, in canonical (cec2016) spelling */
  readonly data: D;
  readonly requestId: string;
  readonly now: Date;
}

export interface GatewayOptions {
  /** false only for query_token, which is how a partner obtains a token */
  readonly requireToken?: boolean;
  /** an older per-partner switch that also enables this extension interface (besides the profile's `extensions`) */
  readonly feature?: keyof Partner['features'];
  /** the time source (tests inject one; default the system clock) */
  readonly clock?: () => Date;
}

type Event = APIGatewayProxyEventV2 & { tcec?: TcecRequest };
type Result = APIGatewayProxyStructuredResultV2;

interface State {
  started: number;
  iface: InterfaceName;
  partner?: Partner;
  secrets?: SecretSet;
  /** the partner's profile (msp), once the partner is known */
  profile?: Profile;
  /** HTTP status of an error answer other than 200 (a wrong prefix: 404) */
  httpStatus?: number;
  /** the envelope's OperatorID, once readable (the usage report counts calls per partner) */
  operatorId?: string;
}

const RESPONSE_HEADERS = { 'content-type': 'application/json;charset=utf-8' } as const;

const respond = (iface: InterfaceName, state: State, ret: number, msg: string, data?: unknown): Result => {
  let body: { Ret: number; Msg: string; Data: string; Sig: string };
  if (state.secrets) {
    body = encodeResponse({ ret, msg, data, secrets: state.secrets });
  } else {
    // unknown caller: no key to sign with; clients treat an unsigned error as unauthenticated
    body = { Ret: ret, Msg: msg, Data: '', Sig: '' };
  }
  const m = metrics.singleMetric();
  const durationMs = Date.now() - state.started;
  m.addDimensions({ interface: iface, Ret: String(ret) });
  // per partner and latency as EMF metadata, not dimensions: searchable, without a metric per partner
  m.addMetadata('OperatorID', state.operatorId ?? '-');
  // EMF metadata may be any JSON value; Powertools types it as string, a number lets Logs Insights take pct()
  m.addMetadata('durationMs', durationMs as unknown as string);
  m.addMetric('Requests', MetricUnit.Count, 1);
  logger.info('tcec response', { Ret: ret, Msg: msg, durationMs, responseDataLength: body.Data.length });
  return { statusCode: state.httpStatus ?? 200, headers: { ...RESPONSE_HEADERS }, body: JSON.stringify(body) };
};

const bearer = (headers: APIGatewayProxyEventV2['headers']): string | undefined => {
  const raw = headers?.authorization ?? headers?.Authorization;
  const m = raw ? /^Bearer\s+(\S+)\s*$/i.exec(raw) : null;
  return m?.[1];
};

/** when each partner's secret was last re-read because a Sig did not verify */
const forcedReads = new Map<string, number>();
const FORCED_READ_INTERVAL_MS = 30_000;

/**
 * The inbound set whose Sig verifies: current, the still-valid previous one, then once more after a
 * fresh read (a rotation may just have happened) — at most once per 30 s per partner, so a stream
 * of bad signatures cannot drain the Secrets Manager quota.
 */
const verifiedSecrets = async (env: RequestEnvelope, now: Date): Promise<SecretSet | undefined> => {
  const last = forcedReads.get(env.OperatorID) ?? 0;
  const mayForce = now.getTime() - last >= FORCED_READ_INTERVAL_MS;
  for (const forceFetch of mayForce ? [false, true] : [false]) {
    if (forceFetch) forcedReads.set(env.OperatorID, now.getTime());
    const s = await getPartnerSecrets(env.OperatorID, forceFetch);
    if (!s) return undefined;
    const verified = acceptedInboundSets(s, now).find((set) => verifyRequestSig(env, set.sigSecret));
    if (verified) return verified;
  }
  return undefined;
};

/** Forget when each partner's secret was last force-read (tests: each starts with a fresh gateway state). */
export const resetForcedReads = (): void => forcedReads.clear();

/**
 * The current inbound set of the partner a malformed envelope claims to come from (its OperatorID,
 * if that much is readable and names an active partner), to sign the 4003 with; else undefined.
 */
const callerSecrets = async (body: string): Promise<SecretSet | undefined> => {
  let operatorId: unknown;
  try {
    operatorId = (JSON.parse(body) as { OperatorID?: unknown } | null)?.OperatorID;
  } catch {
    return undefined;
  }
  if (typeof operatorId !== 'string' || !/^[A-Za-z0-9]{9}$/.test(operatorId)) return undefined;
  const partner = await getPartner(operatorId);
  if (partner?.status !== 'active') return undefined;
  return (await getPartnerSecrets(operatorId))?.inbound;
};

const searchKeys = (data: unknown): Record<string, string> => {
  if (!data || typeof data !== 'object') return {};
  const out: Record<string, string> = {};
  for (const k of ['StartChargeSeq', 'ConnectorID', 'StationID', 'EquipAuthSeq', 'EquipBizSeq', 'CheckOrderSeq'] as const) {
    const v = (data as Record<string, unknown>)[k];
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// msp: the partner's profile, applied at the edges only (shared/tcec/profiles.ts)

/** A call under a path prefix that is not the partner's profile's: HTTP 404 with a signed Ret 4003. */
class WrongPrefix extends TcecError {
  constructor(profile: Profile, prefix: string) {
    super(Ret.ParamError, `not served at ${prefix} for this partner: its profile ${profile.name} is served at ${profile.servedAt}`);
  }
}

/**
 * A partner served by another deployment: an OEM's partner calling the core (it is served by its
 * OEM's own stack only), or anyone but an OEM's partners calling an OEM stack. Answered as a wrong
 * prefix is: HTTP 404 with a signed Ret 4003.
 */
class NotServedHere extends TcecError {
  constructor(partner: Partner, profile: Profile, oem: string | undefined) {
    super(
      Ret.ParamError,
      oem
        ? `not served by OEM ${oem}: OperatorID ${partner.operatorId} (profile ${profile.name}) is not one of its partners`
        : `not served here: OperatorID ${partner.operatorId} (profile ${profile.name}) is served by its OEM's own API`,
    );
  }
}

/** `/msp/acme/v1/query_token` → `/msp/acme/v1/` (undefined when the event carries no path). */
const prefixOf = (event: APIGatewayProxyEventV2): string | undefined => {
  const path = event.rawPath;
  if (!path) return undefined;
  return path.slice(0, path.lastIndexOf('/') + 1);
};

/**
 * The partner's profile, checked against the prefix the call came in on; every later log line
 * of the call carries the profile's name (an msp log line and the core's share the request).
 */
const profileStep = (partner: Partner, event: APIGatewayProxyEventV2, state: State): Profile => {
  const profile = profileOf(partner);
  state.profile = profile;
  logger.appendKeys({ profile: profile.name });
  // the deployment this function belongs to (an OEM stack sets OEM_NAME) must be the partner's
  const { OEM_NAME: oem, OEM_PARTNERS_SERVED } = config();
  const servedBy = servedByOf(partner, profile);
  // …except the core's functions an OEM stack cannot deploy (they read the core's buckets): they serve both
  const coreServesOem = !oem && servedBy === 'oem' && OEM_PARTNERS_SERVED === 'true';
  if (servedBy !== (oem ? 'oem' : 'core') && !coreServesOem) {
    state.httpStatus = 404;
    throw new NotServedHere(partner, profile, oem);
  }
  const prefix = prefixOf(event);
  if (prefix !== undefined && prefix !== profile.servedAt) {
    state.httpStatus = 404;
    throw new WrongPrefix(profile, prefix);
  }
  return profile;
};

/**
 * The extension switch (msp): an interface the catalog marks `extension` is served only to a partner
 * whose profile lists it in `extensions` (or, for the older per-partner switches, whose
 * `features[feature]` is on). Anyone else gets Ret 4004 "<interface> is not enabled for OperatorID
 * …" before its Data is even decrypted — the same answer whatever it sent. Nothing else is needed to
 * put an extension behind the switch: declare it `extension: true` in the catalog.
 */
const refuseDisabledExtension = (iface: InterfaceName, profile: Profile, partner: Partner, feature: GatewayOptions['feature']): void => {
  if (!isExtension(iface) || profileEnables(profile, iface)) return;
  if (feature && partner.features[feature]) return;
  throw new TcecError(Ret.BizError, `${iface} is not enabled for OperatorID ${partner.operatorId}`);
};

const tcecGateway = (iface: InterfaceName, opts: GatewayOptions = {}): MiddlewareObj<Event, Result> => {
  const requireToken = opts.requireToken ?? true;
  const clock = opts.clock ?? (() => new Date());
  const states = new WeakMap<object, State>();

  return {
    before: async (request) => {
      const state: State = { started: Date.now(), iface };
      states.set(request, state);
      const event = request.event;
      const now = clock();
      const cfg = config();
      logger.appendKeys({ interface: iface, requestId: event.requestContext?.requestId });

      const rawBody = event.body ?? '';
      const body = event.isBase64Encoded ? Buffer.from(rawBody, 'base64').toString('utf8') : rawBody;
      if (Buffer.byteLength(body, 'utf8') > cfg.MAX_BODY_BYTES) {
        throw new TcecError(Ret.ParamError, `request body exceeds ${cfg.MAX_BODY_BYTES} bytes`);
      }
      let envelope: RequestEnvelope;
      try {
        envelope = parseRequestEnvelope(body);
      } catch (err) {
        // a malformed envelope from a known partner still gets a signed refusal
        state.secrets = await callerSecrets(body);
        throw err;
      }
      logger.appendKeys({ OperatorID: envelope.OperatorID });
      state.operatorId = envelope.OperatorID;

      const partner = await getPartner(envelope.OperatorID);
      if (partner?.status !== 'active') {
        throw new TcecError(Ret.ParamError, `unknown OperatorID ${envelope.OperatorID}`);
      }
      state.partner = partner;

      const secrets = await verifiedSecrets(envelope, now);
      if (!secrets) {
        // sign the refusal with the current inbound set, if the partner has one
        const current = await getPartnerSecrets(envelope.OperatorID);
        if (current) state.secrets = current.inbound;
        throw new TcecError(Ret.SigError, 'Sig verification failed');
      }
      state.secrets = secrets;
      const profile = profileStep(partner, event, state);
      admitWithinRateLimit(partner, now);

      if (requireToken) {
        const token = bearer(event.headers);
        if (!token) throw new TcecError(Ret.TokenError, 'missing Authorization: Bearer token');
        const owner = await resolveToken(token, now);
        if (owner !== envelope.OperatorID) {
          logger.info('token rejected', { tokenSha256Prefix: createHash('sha256').update(token).digest('hex').slice(0, 12) });
          throw new TcecError(Ret.TokenError, 'token invalid or expired');
        }
      }

      const ts = parseTimeStamp(envelope.TimeStamp);
      if (!ts) throw new TcecError(Ret.ParamError, 'TimeStamp is not a valid yyyyMMddHHmmss time');
      const skewSeconds = Math.round((ts.getTime() - now.getTime()) / 1000);
      if (Math.abs(skewSeconds) > cfg.TIMESTAMP_WINDOW_SECONDS) {
        logger.info('timestamp outside window', { skewSeconds });
        throw new TcecError(Ret.ParamError, `TimeStamp outside the accepted window of ±${cfg.TIMESTAMP_WINDOW_SECONDS} s`);
      }
      await refuseReplay(envelope, ts, now, cfg.TIMESTAMP_WINDOW_SECONDS);

      refuseDisabledExtension(iface, profile, partner, opts.feature);

      // roaming roles (issue 12): the operator-side interfaces (catalog `implementedBy: 'cpo'`) are
      // for partners whose users roam IN to our piles; one that does not gets 4004, signed, the same
      // answer the customer side gives a partner that does not roam out
      if (INTERFACES[iface].implementedBy === 'cpo' && !roamingOf(partner).in) {
        throw new TcecError(Ret.BizError, `OperatorID ${partner.operatorId} does not roam in with us`);
      }
      const raw = decodeRequestData(envelope, secrets);
      const parsed = profileFromWire(profile, iface, 'request', raw);
      if (!parsed.ok) throw new TcecError(Ret.BizError, parsed.msg);
      logger.appendKeys(searchKeys(parsed.value));

      event.tcec = {
        interface: iface,
        partner,
        secrets,
        envelope,
        data: parsed.value,
        requestId: event.requestContext?.requestId ?? '',
        now,
      };
    },

    after: async (request) => {
      const state = states.get(request);
      if (!state?.partner) return;
      const profile = state.profile ?? profileOf(state.partner);
      let wire: Record<string, unknown>;
      try {
        wire = profileToWire(profile, iface, 'response', request.response as unknown, {
          ourOperatorId: config().OPERATOR_ID,
          partnerOperatorId: state.partner.operatorId,
        });
      } catch (err) {
        if (!(err instanceof ContractError)) throw err;
        // our bug, not the partner's: one line an engineer can find, naming the field, never the data
        logger.error('response does not match the catalog', { interface: iface, field: err.field, problem: err.problem });
        request.response = respond(iface, state, Ret.SystemError, 'system error');
        return;
      }
      request.response = respond(iface, state, Ret.Ok, '', wire);
    },

    onError: async (request) => {
      const state = states.get(request) ?? { started: Date.now(), iface };
      const err = request.error;
      if (err instanceof TcecError) {
        request.response = respond(iface, state, err.ret, err.msg);
      } else {
        logger.error('unexpected error', { error: err as Error });
        request.response = respond(iface, state, Ret.SystemError, 'system error');
      }
      request.error = null;
    },
  };
};

/** The business function of interface N: validated canonical request Data in, canonical response Data out. */
export type TcecBusiness<N extends InterfaceName> = (req: TcecRequest<RequestData<N>, N>) => Promise<ResponseInput<N>>;

/**
 * A T/CEC interface handler: the business function receives the validated canonical Data and
 * returns the canonical response Data; both types come from the catalog entry of `iface`. The
 * response is checked against the catalog at run time too (a cast cannot smuggle a wrong field to
 * a partner). Everything else is the pipeline's.
 */
export const tcecHandler = <N extends InterfaceName>(iface: N, business: NoInfer<TcecBusiness<N>>, opts: GatewayOptions = {}) =>
  middy<Event, Result, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(tcecGateway(iface, opts))
    .handler(async (event) => {
      if (!event.tcec) throw new Error('pipeline did not run');
      // the gateway validated `data` against the catalog's request schema of `iface`
      const response = await business(event.tcec as unknown as TcecRequest<RequestData<N>, N>);
      // the `after` phase turns the canonical Data into the signed envelope
      return response as unknown as Result;
    });
