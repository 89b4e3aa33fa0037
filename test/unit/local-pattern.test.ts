/** EventBridge pattern matching of the local bus (infra/local/pattern.ts), against EventBridge's documented semantics. */
import { describe, expect, it } from 'vitest';
import { matchPattern, PatternError } from '../../infra/local/pattern.ts';

const event = {
  version: '0',
  id: 'e1',
  'detail-type': 'ConnectorStatusChanged',
  source: 'evcs.piles',
  account: '000000000000',
  time: '2024-01-01T00:00:00Z',
  region: 'ap-northeast-1',
  resources: [],
  detail: {
    connectorId: '101000010001',
    status: 3,
    previous: 2,
    operator: { id: 'MA5GS8X01', kind: 'platform' },
    tags: ['fast', 'dc'],
    note: null,
  },
};

describe('matchPattern', () => {
  it('matches exact values in arrays (OR within a field, AND across fields)', () => {
    expect(matchPattern({ source: ['evcs.piles'], 'detail-type': ['ConnectorStatusChanged'] }, event)).toBe(true);
    expect(matchPattern({ source: ['other', 'evcs.piles'] }, event)).toBe(true);
    expect(matchPattern({ source: ['evcs.piles'], 'detail-type': ['SessionStarted'] }, event)).toBe(false);
    expect(matchPattern({ source: ['evcs.pile'] }, event)).toBe(false);
  });

  it('matches nested detail fields, numbers and null; types are not coerced', () => {
    expect(matchPattern({ detail: { status: [3], operator: { id: ['MA5GS8X01'] } } }, event)).toBe(true);
    expect(matchPattern({ detail: { status: ['3'] } }, event)).toBe(false);
    expect(matchPattern({ detail: { operator: { id: ['X'] } } }, event)).toBe(false);
    expect(matchPattern({ detail: { note: [null] } }, event)).toBe(true);
    expect(matchPattern({ detail: { missing: [null] } }, event)).toBe(false);
  });

  it('a leaf condition never matches an object value', () => {
    expect(matchPattern({ detail: { operator: ['MA5GS8X01'] } }, event)).toBe(false);
  });

  it('array event values match if any element matches', () => {
    expect(matchPattern({ detail: { tags: ['dc'] } }, event)).toBe(true);
    expect(matchPattern({ detail: { tags: ['ac'] } }, event)).toBe(false);
    expect(matchPattern({ detail: { tags: [{ prefix: 'fa' }] } }, event)).toBe(true);
  });

  it('prefix, suffix, equals-ignore-case', () => {
    expect(matchPattern({ detail: { connectorId: [{ prefix: '1010' }] } }, event)).toBe(true);
    expect(matchPattern({ detail: { connectorId: [{ prefix: '2' }] } }, event)).toBe(false);
    expect(matchPattern({ detail: { connectorId: [{ suffix: '0001' }] } }, event)).toBe(true);
    expect(matchPattern({ detail: { status: [{ prefix: '3' }] } }, event)).toBe(false); // numbers have no prefix
    expect(matchPattern({ source: [{ 'equals-ignore-case': 'EVCS.PILES' }] }, event)).toBe(true);
  });

  it('anything-but: single value, list, prefix; an absent field does not match', () => {
    expect(matchPattern({ detail: { status: [{ 'anything-but': 2 }] } }, event)).toBe(true);
    expect(matchPattern({ detail: { status: [{ 'anything-but': [1, 3] }] } }, event)).toBe(false);
    expect(matchPattern({ source: [{ 'anything-but': { prefix: 'evcs.' } }] }, event)).toBe(false);
    expect(matchPattern({ source: [{ 'anything-but': { prefix: 'aws.' } }] }, event)).toBe(true);
    expect(matchPattern({ detail: { absent: [{ 'anything-but': 'x' }] } }, event)).toBe(false);
  });

  it('exists true/false, including a nested object that is absent altogether', () => {
    expect(matchPattern({ detail: { previous: [{ exists: true }] } }, event)).toBe(true);
    expect(matchPattern({ detail: { absent: [{ exists: true }] } }, event)).toBe(false);
    expect(matchPattern({ detail: { absent: [{ exists: false }] } }, event)).toBe(true);
    expect(matchPattern({ detail: { previous: [{ exists: false }] } }, event)).toBe(false);
    expect(matchPattern({ detail: { nope: { deeper: [{ exists: false }] } } }, event)).toBe(true);
    expect(matchPattern({ detail: { nope: { deeper: [{ exists: true }] } } }, event)).toBe(false);
  });

  it('numeric ranges and equality', () => {
    expect(matchPattern({ detail: { status: [{ numeric: ['>', 0, '<=', 3] }] } }, event)).toBe(true);
    expect(matchPattern({ detail: { status: [{ numeric: ['>', 3] }] } }, event)).toBe(false);
    expect(matchPattern({ detail: { status: [{ numeric: ['=', 3] }] } }, event)).toBe(true);
    expect(matchPattern({ detail: { status: [{ numeric: ['>=', 3, '<', 3] }] } }, event)).toBe(false);
    expect(matchPattern({ detail: { connectorId: [{ numeric: ['>', 0] }] } }, event)).toBe(false); // a string is not a number
  });

  it('$or matches if any branch matches', () => {
    expect(matchPattern({ source: ['evcs.piles'], $or: [{ detail: { status: [9] } }, { detail: { previous: [2] } }] }, event)).toBe(true);
    expect(matchPattern({ $or: [{ detail: { status: [9] } }, { detail: { previous: [9] } }] }, event)).toBe(false);
  });

  it('rejects malformed patterns instead of silently matching nothing', () => {
    expect(() => matchPattern({ source: 'evcs.piles' }, event)).toThrow(PatternError);
    expect(() => matchPattern({ source: [] }, event)).toThrow(PatternError);
    expect(() => matchPattern({ detail: { status: [{ wildcard: '*' }] } }, event)).toThrow(/unsupported/);
    expect(() => matchPattern({ detail: { status: [{ numeric: ['~', 1] }] } }, event)).toThrow(PatternError);
    expect(() => matchPattern({ detail: { status: [{ prefix: 'a', suffix: 'b' }] } }, event)).toThrow(PatternError);
  });
});
