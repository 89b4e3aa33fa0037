/**
 * Final Ret codes of supervision platforms (issue 13, reference §1.6 and §5.3 [IX-PROV]): the
 * provincial platform answers Ret 4015 on an order it already stored; the client treats it as final
 * (stored, no retry). Which Rets are final is profile data (`supervision.finalRets`), validated at
 * load with its path; the rule is `finalRetOf` (shared/push/supervision.ts).
 */
import { describe, expect, it } from 'vitest';
import { finalRetOf } from '../../../shared/push/supervision.ts';
import { loadProfiles, ProfileError } from '../../../shared/tcec/profiles.ts';

const profiles = loadProfiles();
const rules = (name: string) => profiles.get(name)?.supervision;

describe('final Ret codes are profile data', () => {
  it('provincial: Ret 4015 on an order push is final; on its other pushes, and 4004 on the order, are not', () => {
    const p = rules('provincial');
    expect(p?.finalRets).toEqual({ notification_charge_order_info: [4015] });
    expect(finalRetOf(p, 'notification_charge_order_info', { ok: false, ret: 4015 })).toBe(4015);
    expect(finalRetOf(p, 'notification_charge_order_info', { ok: false, ret: 4004 })).toBeUndefined();
    expect(finalRetOf(p, 'notification_charge_order_info', { ok: false, ret: 500 })).toBeUndefined();
    expect(finalRetOf(p, 'notification_charge_order_info', { ok: false })).toBeUndefined(); // a transport failure
    expect(finalRetOf(p, 'notification_stationStatus', { ok: false, ret: 4015 })).toBeUndefined();
    expect(finalRetOf(p, 'notification_charge_order_info', { ok: true })).toBeUndefined();
  });

  it('Beijing and Chengdu have none: 4015 is retried like any other Ret; a commercial partner has no rules', () => {
    for (const name of ['beijing', 'chengdu']) {
      expect(rules(name)?.finalRets).toEqual({});
      expect(finalRetOf(rules(name), 'notification_charge_order_info', { ok: false, ret: 4015 })).toBeUndefined();
    }
    expect(finalRetOf(undefined, 'notification_charge_order_info', { ok: false, ret: 4015 })).toBeUndefined();
  });

  it('a profile may declare its own, and inherits its parent’s', () => {
    const own = loadProfiles({
      'gov-y': {
        extends: 'cec2016',
        supervision: {
          interfaces: ['notification_charge_order_info', 'notification_stop_charge_result'],
          resendSeconds: [30],
          finalRets: { notification_stop_charge_result: [4010, 4011] },
        },
      },
      'gov-z': { extends: 'provincial' },
    });
    expect(finalRetOf(own.get('gov-y')?.supervision, 'notification_stop_charge_result', { ok: false, ret: 4011 })).toBe(4011);
    expect(finalRetOf(own.get('gov-y')?.supervision, 'notification_charge_order_info', { ok: false, ret: 4011 })).toBeUndefined();
    expect(finalRetOf(own.get('gov-z')?.supervision, 'notification_charge_order_info', { ok: false, ret: 4015 })).toBe(4015);
  });

  it.each([
    [{ notification_stationStatus: [4015] }, 'profiles.gov-x.supervision.finalRets.notification_stationStatus: not one of its interfaces'],
    [
      { notification_charge_order_info: [0] },
      'profiles.gov-x.supervision.finalRets.notification_charge_order_info.0: Ret 0 cannot be final',
    ],
    [{ notification_charge_order_info: [4015, 4002] }, 'finalRets.notification_charge_order_info.1: Ret 4002 cannot be final'],
    [{ notification_charge_order_info: [] }, 'finalRets'],
  ])('a bad finalRets %j fails at load with its path', (finalRets, path) => {
    const load = () =>
      loadProfiles({
        'gov-x': {
          extends: 'cec2016',
          supervision: { interfaces: ['notification_charge_order_info'], resendSeconds: [60], finalRets } as never,
        },
      });
    expect(load).toThrow(ProfileError);
    expect(load).toThrow(path);
  });
});
