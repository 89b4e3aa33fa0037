/**
 * The extension switch of the interfaces of issue 15 that are ours (prepay, pay-after, coupons,
 * parking, invoices): ONE check, from the partner's profile's `extensions` list (shared/tcec/profiles.ts).
 * A partner whose profile does not list the interface gets Ret 4004 "not enabled" — the same answer
 * the gateway gives for a per-partner feature.
 */
import { profileOf } from '../domain/partner-profile.ts';
import type { Partner } from '../store/partners.ts';
import type { InterfaceName } from '../tcec/interfaces.ts';
import { profileEnables } from '../tcec/profiles.ts';
import { Ret, TcecError } from '../tcec/ret.ts';

/** Does the partner's profile enable the extension interface? */
export const extensionEnabled = (partner: Partner, iface: InterfaceName): boolean => profileEnables(profileOf(partner), iface);

/** Refuse (Ret 4004) an extension interface the partner's profile does not enable. */
export const requireExtension = (partner: Partner, iface: InterfaceName): void => {
  if (!extensionEnabled(partner, iface)) throw new TcecError(Ret.BizError, `${iface} is not enabled for OperatorID ${partner.operatorId}`);
};
