/**
 * Is an extension on for a partner: its profile's `extensions` list (shared/tcec/profiles.ts). The
 * gateway refuses a call to an extension interface the profile does not list (Ret 4004, before the
 * Data is even decrypted: shared/middleware/tcec-gateway.ts); the services ask this for what an
 * extension changes in a standard flow (a start under a pay-after profile makes a payable order).
 */
import { profileOf } from '../domain/partner-profile.ts';
import type { Partner } from '../store/partners.ts';
import type { InterfaceName } from '../tcec/interfaces.ts';
import { profileEnables } from '../tcec/profiles.ts';

/** Does the partner's profile enable the extension interface? */
export const extensionEnabled = (partner: Partner, iface: InterfaceName): boolean => profileEnables(profileOf(partner), iface);
