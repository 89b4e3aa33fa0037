/**
 * The T/CEC request pipeline, in process (middy-style, no platform): every Ret path of reference
 * §1.6 / §2.4–2.7 with the partner registry, the token store and the partners' secrets mocked
 * (aws-sdk-client-mock) and time injected. Every answer is HTTP 200 with {Ret, Msg, Data, Sig},
 * signed with the partner's inbound SigSecret whenever the caller is a known partner.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '#powertools';
import { OrderFinished } from '../../../events/orders.ts';
import { OrderStatus } from '../../../shared/domain/charging.ts';
import { chargeStatusOf } from '../../../shared/domain/order-views.ts';
import { tcecHandler } from '../../../shared/middleware/tcec-gateway.ts';
import { decodeResponse } from '../../../shared/tcec/envelope.ts';
import type { ResponseInput } from '../../../shared/tcec/interfaces.ts';
import {
  clock,
  configureEnv,
  EXPIRED_TOKEN,
  type GatewayHandler,
  httpEvent,
  installMocks,
  lambdaContext,
  MAX_BODY_BYTES,
  NOW,
  PARTNERS,
  requestBody,
  restoreMocks,
  secretReads,
  type TestPartner,
} from './gateway-harness.ts';

beforeAll(configureEnv);
beforeEach(installMocks);
afterEach(() => vi.restoreAllMocks());
afterAll(restoreMocks);

const SEQ = 'MA01H3BQ2202611230930450001';
const CONNECTOR = '1010000000000000000000001';
const startRequest = { StartChargeSeq: SEQ, ConnectorID: CONNECTOR };

/** query_start_charge that answers "starting", and records what it was given */
const seen: unknown[] = [];
const startHandler = tcecHandler(
  'query_start_charge',
  async ({ data, partner, now }) => {
    seen.push({ data, operatorId: partner.operatorId, now });
    return { StartChargeSeq: data.StartChargeSeq, StartChargeSeqStat: 1, ConnectorID: data.ConnectorID, SuccStat: 0, FailReason: 0 };
  },
  { clock },
);

const statusView = chargeStatusOf({
  StartChargeSeq: SEQ,
  ConnectorID: CONNECTOR,
  status: OrderStatus.Charging,
  live: { at: NOW.toISOString(), currentA: 125.54, voltageA: 380.25 },
  soc: 56.3,
  bill: OrderFinished.sample.bill,
});
const statusHandler = tcecHandler('query_equip_charge_status', async () => statusView, { clock });

interface Answer {
  status: number;
  body: { Ret: number; Msg: string; Data: string; Sig: string };
  raw: string;
}

const call = async (h: unknown, body: string | undefined, token?: string): Promise<Answer> => {
  const res = await (h as GatewayHandler)(httpEvent(body, token), lambdaContext);
  const raw = String(res.body);
  return { status: res.statusCode ?? 0, body: JSON.parse(raw), raw };
};

/** the answer verified with the partner's inbound set: Sig checks, Data decrypts */
const verified = (a: Answer, p: TestPartner) => {
  const d = decodeResponse(a.raw, p.secrets.inbound);
  expect(d.sigVerified).toBe(true);
  return d;
};

const expectRet = (a: Answer, ret: number, msg: RegExp) => {
  expect(a.status).toBe(200);
  expect(Object.keys(a.body)).toEqual(['Ret', 'Msg', 'Data', 'Sig']);
  expect(a.body.Ret).toBe(ret);
  expect(a.body.Msg).toMatch(msg);
  if (ret !== 0) expect(a.body.Data).toBe('');
};

const cec = PARTNERS.cec;

describe('Ret 0: signed, encrypted, in the partner’s dialect', () => {
  it('cec2016: the handler gets the validated canonical Data, the partner and the injected time', async () => {
    seen.length = 0;
    const a = await call(startHandler, requestBody(cec, { ...startRequest, connectorid: 'ignored' }), cec.token);
    expectRet(a, 0, /^$/);
    expect(seen).toEqual([{ data: startRequest, operatorId: cec.partner.operatorId, now: NOW }]);
    expect(verified(a, cec).data).toEqual({ ...startRequest, StartChargeSeqStat: 1, SuccStat: 0, FailReason: 0 });
    // the response Data is encrypted with the partner's DataSecret, not plain JSON
    expect(a.body.Data).not.toContain(SEQ);
  });

  it('cec2016 keeps the standard spellings (ElecMoney, SeviceMoney) and rounds to the field precision', async () => {
    const a = await call(statusHandler, requestBody(cec, { StartChargeSeq: SEQ }), cec.token);
    expectRet(a, 0, /^$/);
    const data = verified(a, cec).data as Record<string, unknown>;
    expect(data).toMatchObject({ ElecMoney: statusView.ElecMoney, SeviceMoney: statusView.SeviceMoney, CurrentA: 125.5, VoltageA: 380.3 });
    expect(data).not.toHaveProperty('ServiceMoney');
  });

  it('xiaoju: ElectMoney and ServiceMoney in the query_equip_charge_status response (§5.1)', async () => {
    const xj = PARTNERS.xiaoju;
    const a = await call(statusHandler, requestBody(xj, { StartChargeSeq: SEQ }), xj.token);
    expectRet(a, 0, /^$/);
    const data = verified(a, xj).data as Record<string, unknown>;
    expect(data).toMatchObject({ ElectMoney: statusView.ElecMoney, ServiceMoney: statusView.SeviceMoney });
    expect(data).not.toHaveProperty('ElecMoney');
    expect(data).not.toHaveProperty('SeviceMoney');
    expect((data.ChargeDetails as Record<string, unknown>[])[0]).toHaveProperty('DetailServiceMoney');
  });
});

describe('Ret 4003: envelope, caller, time, size, Data', () => {
  it.each([
    ['not JSON', '{"OperatorID":', /body is not valid JSON/],
    ['not an object', '[1,2]', /must be a JSON object/],
    [
      'a malformed OperatorID',
      JSON.stringify({ OperatorID: 'MA01', Data: 'x', TimeStamp: '20261123093045', Seq: '0001' }),
      /OperatorID must be/,
    ],
    [
      'a key missing, unknown OperatorID',
      JSON.stringify({ OperatorID: 'MA9UNKNO1', Data: 'x', TimeStamp: '20261123093045', Seq: '0001' }),
      /Sig is missing/,
    ],
  ])('%s: unsigned (no partner to sign for)', async (_name, body, msg) => {
    const a = await call(startHandler, body, cec.token);
    expectRet(a, 4003, msg);
    expect(a.body.Sig).toBe('');
  });

  it.each([
    ['a key missing', JSON.stringify({ OperatorID: 'MA01H3BQ2', Data: 'x', TimeStamp: '20261123093045', Seq: '0001' }), /Sig is missing/],
    [
      'a malformed Seq',
      JSON.stringify({ OperatorID: 'MA01H3BQ2', Data: 'x', TimeStamp: '20261123093045', Seq: '1', Sig: 'a'.repeat(32) }),
      /Seq must be/,
    ],
    [
      'a Data that is not a string',
      JSON.stringify({ OperatorID: 'MA01H3BQ2', Data: {}, TimeStamp: '20261123093045', Seq: '0001' }),
      /Data must be a string/,
    ],
  ])('%s from a known partner: signed with its inbound set', async (_name, body, msg) => {
    const a = await call(startHandler, body, cec.token);
    expectRet(a, 4003, msg);
    verified(a, cec);
  });

  it('an empty body', async () => {
    expectRet(await call(startHandler, undefined), 4003, /not valid JSON/);
  });

  it('a body over MAX_BODY_BYTES is refused before it is parsed', async () => {
    const a = await call(startHandler, requestBody(cec, { ...startRequest, QRCode: 'q'.repeat(MAX_BODY_BYTES) }), cec.token);
    expectRet(a, 4003, new RegExp(`exceeds ${MAX_BODY_BYTES} bytes`));
  });

  it('an unknown OperatorID: unsigned, no key to sign with', async () => {
    const a = await call(startHandler, requestBody(cec, startRequest, { operatorId: 'MA9UNKNO1' }), cec.token);
    expectRet(a, 4003, /unknown OperatorID MA9UNKNO1/);
    expect(a.body.Sig).toBe('');
  });

  it('a suspended partner is refused like an unknown one', async () => {
    const s = PARTNERS.suspended;
    expectRet(await call(startHandler, requestBody(s, startRequest), s.token), 4003, /unknown OperatorID/);
  });

  it.each([
    ['11 minutes early', 11 * 60_000],
    ['11 minutes late', -11 * 60_000],
  ])('a TimeStamp %s (window ±600 s): signed', async (_name, offsetMs) => {
    const a = await call(startHandler, requestBody(cec, startRequest, { at: new Date(NOW.getTime() + offsetMs) }), cec.token);
    expectRet(a, 4003, /TimeStamp outside the accepted window/);
    verified(a, cec);
  });

  it('a TimeStamp 9 minutes off is still inside the window', async () => {
    expectRet(await call(startHandler, requestBody(cec, startRequest, { at: new Date(NOW.getTime() - 9 * 60_000) }), cec.token), 0, /^$/);
  });

  it('Data that does not decrypt: signed, without any decrypted content', async () => {
    const other = { ...cec.secrets.inbound, dataSecret: 'ZZZZZZZZZZZZZZZZ' };
    const a = await call(startHandler, requestBody(cec, startRequest, { secrets: other }), cec.token);
    expectRet(a, 4003, /Data 解密|JSON/);
    verified(a, cec);
  });
});

describe('Ret 4001: Sig', () => {
  it('a Sig made with another SigSecret: signed with the current inbound set', async () => {
    const wrong = { ...cec.secrets.inbound, sigSecret: 'not-the-sig-secret' };
    const a = await call(startHandler, requestBody(cec, startRequest, { secrets: wrong }), cec.token);
    expectRet(a, 4001, /Sig verification failed/);
    verified(a, cec);
  });

  it('a mismatch re-reads the secret once (a rotation may just have happened), not on every bad request', async () => {
    const wrong = { ...cec.secrets.inbound, sigSecret: 'not-the-sig-secret' };
    await call(startHandler, requestBody(cec, startRequest, { secrets: wrong }), cec.token);
    const afterFirst = secretReads();
    await call(startHandler, requestBody(cec, startRequest, { secrets: wrong }), cec.token);
    await call(startHandler, requestBody(cec, startRequest, { secrets: wrong }), cec.token);
    expect(secretReads()).toBe(afterFirst);
  });

  it('rotation grace: the previous inbound set verifies until validUntil and the answer is signed with it', async () => {
    const r = PARTNERS.rotating;
    const old = r.secrets.previousInbound.set;
    const a = await call(startHandler, requestBody(r, startRequest, { secrets: old }), r.token);
    expectRet(a, 0, /^$/);
    expect(decodeResponse(a.raw, old).sigVerified).toBe(true);

    const late = new Date(r.secrets.previousInbound.validUntil);
    const lateHandler = tcecHandler(
      'query_start_charge',
      async () => ({ StartChargeSeq: SEQ, StartChargeSeqStat: 1, ConnectorID: CONNECTOR, SuccStat: 0, FailReason: 0 }),
      {
        clock: () => late,
      },
    );
    const b = await call(lateHandler, requestBody(r, startRequest, { secrets: old, at: late }), r.token);
    expectRet(b, 4001, /Sig/);
    expect(decodeResponse(b.raw, r.secrets.inbound).sigVerified).toBe(true);
  });
});

describe('Ret 4002: token', () => {
  it('no Authorization header', async () => {
    const a = await call(startHandler, requestBody(cec, startRequest));
    expectRet(a, 4002, /missing Authorization/);
    verified(a, cec);
  });

  it('another partner’s token', async () => {
    const a = await call(startHandler, requestBody(cec, startRequest), PARTNERS.xiaoju.token);
    expectRet(a, 4002, /token invalid or expired/);
    verified(a, cec);
  });

  it('an expired or unknown token', async () => {
    expectRet(await call(startHandler, requestBody(cec, startRequest), EXPIRED_TOKEN), 4002, /token invalid/);
    expectRet(await call(startHandler, requestBody(cec, startRequest), 'f'.repeat(64)), 4002, /token invalid/);
  });

  it('requireToken false (query_token) needs none', async () => {
    const h = tcecHandler('query_token', async ({ data }) => ({ OperatorID: data.OperatorID, SuccStat: 1, FailReason: 2 }), {
      requireToken: false,
      clock,
    });
    const a = await call(h, requestBody(cec, { OperatorID: cec.partner.operatorId, OperatorSecret: 'wrong' }));
    expectRet(a, 0, /^$/);
    // the catalog's defaults are not invented on the wire: what the handler left out stays out
    expect(verified(a, cec).data).toEqual({ OperatorID: cec.partner.operatorId, SuccStat: 1, FailReason: 2 });
  });
});

describe('Ret 4004: business Data', () => {
  it('a missing required field: Msg names it', async () => {
    const a = await call(startHandler, requestBody(cec, { StartChargeSeq: SEQ }), cec.token);
    expectRet(a, 4004, /^ConnectorID: required$/);
    verified(a, cec);
  });

  it('a value out of range: Msg names the field', async () => {
    const a = await call(startHandler, requestBody(cec, { ...startRequest, ConnectorID: 'x'.repeat(27) }), cec.token);
    expectRet(a, 4004, /^ConnectorID: at most 26 characters$/);
  });

  it('an extension interface not enabled for the partner', async () => {
    const h = tcecHandler('query_charge_info', async () => ({}) as never, { feature: 'queryChargeInfo', clock });
    const a = await call(h, requestBody(cec, { StartChargeSeq: SEQ }), cec.token);
    expectRet(a, 4004, /not enabled/);
  });

  it('an extension its profile does not enable: 4004 before the Data is even read (the same answer whatever it sent)', async () => {
    const h = tcecHandler('query_reserve_connector', async () => ({}) as never, { clock });
    for (const data of [{ nonsense: true }, { ReserveSeq: SEQ, ConnectorID: CONNECTOR, ReserveMinutes: 10 }]) {
      const a = await call(h, requestBody(cec, data), cec.token);
      expectRet(a, 4004, new RegExp(`^query_reserve_connector is not enabled for OperatorID ${cec.partner.operatorId}$`));
      verified(a, cec);
    }
  });
});

describe('Ret 500: our errors, one log line, signed', () => {
  it('a handler exception: "system error", the cause logged once', async () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const h = tcecHandler(
      'query_start_charge',
      async () => {
        throw new Error('store unavailable');
      },
      { clock },
    );
    const a = await call(h, requestBody(cec, startRequest), cec.token);
    expectRet(a, 500, /^system error$/);
    verified(a, cec);
    expect(errors).toHaveBeenCalledTimes(1);
  });

  const valid: ResponseInput<'query_start_charge'> = {
    StartChargeSeq: SEQ,
    StartChargeSeqStat: 1,
    ConnectorID: CONNECTOR,
    SuccStat: 0,
    FailReason: 0,
  };
  const { FailReason: _dropped, ...missing } = valid;

  it.each([
    ['an unknown key', { ...valid, InternalOrderId: 'secret-ish-value-42' }, 'InternalOrderId'],
    ['a missing required field', missing, 'FailReason'],
    ['a wrong type', { ...valid, SuccStat: 'yes-value-42' }, 'SuccStat'],
    ['a value outside the enum', { ...valid, StartChargeSeqStat: 9 }, 'StartChargeSeqStat'],
  ])(
    'a response with %s is never sent: Ret 500, one error line naming the interface and the field, not the data',
    async (_name, response, field) => {
      const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
      const h = tcecHandler('query_start_charge', async () => response as unknown as typeof valid, { clock });
      const a = await call(h, requestBody(cec, startRequest), cec.token);
      expectRet(a, 500, /^system error$/);
      verified(a, cec);
      expect(errors).toHaveBeenCalledTimes(1);
      const [message, extra] = errors.mock.calls[0] as [string, Record<string, unknown>];
      expect(message).toMatch(/does not match the catalog/);
      expect(extra).toMatchObject({ interface: 'query_start_charge', field });
      expect(JSON.stringify(errors.mock.calls)).not.toMatch(/value-42|MA01H3BQ2202611230930450001/);
    },
  );

  it('a response of the right shape passes the same check', async () => {
    const h = tcecHandler('query_start_charge', async () => valid, { clock });
    expectRet(await call(h, requestBody(cec, startRequest), cec.token), 0, /^$/);
  });
});
