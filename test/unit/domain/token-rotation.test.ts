/**
 * The rotation grace rule (reference §2.1, §2.6): after a rotation the previous inbound set stays
 * accepted until its validUntil — by the gateway's Sig check and by query_token alike (one rule,
 * shared/domain/token.ts).
 */
import { describe, expect, it } from 'vitest';
import { acceptedInboundSets, decideToken } from '../../../shared/domain/token.ts';

const set = (tag: string) => ({
  operatorSecret: `op-${tag}`,
  dataSecret: `data-${tag}`.padEnd(16, '0'),
  dataSecretIV: `iv-${tag}`.padEnd(16, '0'),
  sigSecret: `sig-${tag}`,
});
const current = set('new');
const previous = set('old');
const validUntil = Date.parse('2026-11-23T00:00:00Z');

describe('acceptedInboundSets', () => {
  it('without a previous set: only the current one', () => {
    expect(acceptedInboundSets({ inbound: current }, new Date(validUntil - 1))).toEqual([current]);
  });
  it('before validUntil: the current set first, then the previous one', () => {
    expect(acceptedInboundSets({ inbound: current, previousInbound: { set: previous, validUntil } }, new Date(validUntil - 1))).toEqual([
      current,
      previous,
    ]);
  });
  it('at and after validUntil: the previous set is no longer accepted', () => {
    const s = { inbound: current, previousInbound: { set: previous, validUntil } };
    expect(acceptedInboundSets(s, new Date(validUntil))).toEqual([current]);
    expect(acceptedInboundSets(s, new Date(validUntil + 60_000))).toEqual([current]);
  });
  it('query_token accepts the previous OperatorSecret exactly while the rule does', () => {
    const s = { inbound: current, previousInbound: { set: previous, validUntil } };
    const req = { OperatorID: 'MA01H3BQ2', OperatorSecret: previous.operatorSecret };
    const secretsAt = (t: number) => acceptedInboundSets(s, new Date(t)).map((x) => x.operatorSecret);
    expect(decideToken('MA01H3BQ2', req, secretsAt(validUntil - 1))).toEqual({ ok: true });
    expect(decideToken('MA01H3BQ2', req, secretsAt(validUntil))).toEqual({ ok: false, failReason: 2 });
  });
});
