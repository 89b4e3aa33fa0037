/**
 * Type tests: the catalog (shared/tcec/interfaces.ts) types a T/CEC interface end to end. These
 * assertions are checked by `tsc --noEmit` (npm test runs it over test/): a regression in the
 * inference fails the type-check, an unexpected success fails on its `@ts-expect-error`.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { tcecInterface } from '../../../infra/topology/helpers.ts';
import { type TcecRequest, tcecHandler } from '../../../shared/middleware/tcec-gateway.ts';
import type { InterfaceName, RequestData, ResponseData, ResponseInput } from '../../../shared/tcec/interfaces.ts';

describe('RequestData / ResponseData / ResponseInput', () => {
  it('are the parsed catalog shapes', () => {
    expectTypeOf<RequestData<'query_start_charge'>>().toEqualTypeOf<{
      StartChargeSeq: string;
      ConnectorID: string;
      QRCode?: string | undefined;
    }>();
    expectTypeOf<ResponseData<'query_token'>>().toEqualTypeOf<{
      OperatorID: string;
      SuccStat: 0 | 1;
      AccessToken: string;
      TokenAvailableTime: number;
      FailReason: number;
    }>();
    expectTypeOf<ResponseData<'query_stop_charge'>['StartChargeSeqStat']>().toEqualTypeOf<1 | 2 | 3 | 4 | 5>();
    expectTypeOf<RequestData<'notification_equip_charge_status'>>().toEqualTypeOf<ResponseData<'query_equip_charge_status'>>();
  });

  it('ResponseInput: fields with a catalog default may be left out, every other stays required', () => {
    expectTypeOf<ResponseInput<'query_token'>>().toEqualTypeOf<{
      OperatorID: string;
      SuccStat: 0 | 1;
      AccessToken?: string | undefined;
      TokenAvailableTime?: number | undefined;
      FailReason?: number | undefined;
    }>();
    expectTypeOf<ResponseData<'query_equip_business_policy'>>().toExtend<ResponseInput<'query_equip_business_policy'>>();
    expectTypeOf<{ OperatorID: string }>().not.toExtend<ResponseInput<'query_token'>>();
  });
});

describe('tcecHandler infers from the interface name', () => {
  it('gives the business function the request Data and requires the response Data', () => {
    const h = tcecHandler('query_start_charge', async (req) => {
      expectTypeOf(req).toEqualTypeOf<TcecRequest<RequestData<'query_start_charge'>, 'query_start_charge'>>();
      expectTypeOf(req.data.StartChargeSeq).toBeString();
      expectTypeOf(req.now).toEqualTypeOf<Date>();
      return {
        StartChargeSeq: req.data.StartChargeSeq,
        StartChargeSeqStat: 1,
        ConnectorID: req.data.ConnectorID,
        SuccStat: 0,
        FailReason: 0,
      };
    });
    expect(typeof h).toBe('function');
  });

  it('refuses a response of the wrong shape at compile time', () => {
    // @ts-expect-error a required field (SuccStat) is missing
    tcecHandler('query_token', async ({ data }) => ({ OperatorID: data.OperatorID }));
    // @ts-expect-error SuccStat is 0 | 1 in the catalog
    tcecHandler('query_token', async ({ data }) => ({ OperatorID: data.OperatorID, SuccStat: 2 }));
    // @ts-expect-error the response of another interface
    tcecHandler('query_stop_charge', async ({ data }) => ({
      StartChargeSeq: data.StartChargeSeq,
      ConnectorID: data.ConnectorID,
      SuccStat: 0 as const,
      FailReason: 0,
    }));
    // @ts-expect-error the request Data of query_token has no StartChargeSeq
    tcecHandler('query_token', async ({ data }) => ({ OperatorID: data.StartChargeSeq, SuccStat: 0 }));
    // @ts-expect-error not a catalog interface name
    tcecHandler('query_start_chrage', async () => ({}));
    expect(true).toBe(true);
  });
});

describe("the topology's tcecInterface takes a catalog name", () => {
  it('accepts every InterfaceName and routes it', () => {
    expectTypeOf(tcecInterface).parameter(0).toEqualTypeOf<InterfaceName>();
    const fn = tcecInterface('query_start_charge', 'charging', 'L0', 'start');
    expect(fn.triggers).toEqual([
      { type: 'http', method: 'POST', path: '/evcs/v1/query_start_charge' },
      { type: 'http', method: 'POST', path: '/msp/{profile}/v1/query_start_charge' },
    ]);
    expect(fn.entry).toBe('functions/charging/query-start-charge.ts');
  });

  it('a misspelled route fails the type-check', () => {
    // @ts-expect-error 'query_start_chrage' is not in the catalog
    const fn = tcecInterface('query_start_chrage', 'charging', 'L0', 'typo');
    expect(fn.id).toBe('query-start-chrage');
  });
});
