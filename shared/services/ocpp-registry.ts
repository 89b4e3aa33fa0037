/**
 * The OCPP charge point registry, filled from the stations (every EquipmentID is a charge point,
 * its ConnectorInfos in order are connectors 1..n) and the seed's `chargePoints` entries.
 * Passwords: the seed's own; else a rotated one (Secrets Manager); else generated — derived from
 * one key in Secrets Manager, so the operator can always print it (`piles credentials`).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chargePointsOf } from '../domain/ocpp.ts';
import type { Seed } from '../seed.ts';
import { getChargePoint, putChargePoints, setChargePointPassword } from '../store/ocpp.ts';
import { passwordKey, putRotatedPassword, rotatedChargePoints, rotatedPassword } from '../store/ocpp-secrets.ts';

type Stations = Parameters<typeof chargePointsOf>[0];

const derive = (key: string, chargePointId: string): string =>
  createHmac('sha256', key).update(`ocpp-password:${chargePointId}`).digest('base64url').slice(0, 24);

/**
 * Registers every charge point of the stations; returns how many were written. Re-running it is
 * harmless (passwords stay the same). `keepRegistered`: a charge point already registered with the
 * same connectors is left as it is (a seed- or operator-set password survives a re-import).
 */
export const registerChargePoints = async (
  stations: Stations,
  entries: Seed['chargePoints'] = [],
  opts: { keepRegistered?: boolean } = {},
): Promise<number> => {
  const byId = new Map(entries.map((e) => [e.chargePointId, e]));
  const all = chargePointsOf(stations);
  const cps = opts.keepRegistered
    ? (
        await Promise.all(
          all.map(async (cp) => {
            const have = await getChargePoint(cp.chargePointId);
            return have && have.connectors.join(',') === cp.connectors.join(',') ? undefined : cp;
          }),
        )
      ).filter((cp) => cp !== undefined)
    : all;
  if (cps.length === 0) return 0;
  const [key, rotated] = await Promise.all([passwordKey(), rotatedChargePoints()]);
  const registrations = await Promise.all(
    cps.map(async (cp) => {
      const e = byId.get(cp.chargePointId);
      const password =
        e?.password ??
        (rotated.has(cp.chargePointId) ? await rotatedPassword(cp.chargePointId) : undefined) ??
        derive(key, cp.chargePointId);
      return { ...cp, password, simulated: e?.simulated ?? true };
    }),
  );
  await putChargePoints(registrations);
  return registrations.length;
};

/** The password a charger must present (a seed-set password is the seed's: not stored anywhere readable). */
export const chargePointPassword = async (chargePointId: string, key?: string): Promise<string> =>
  (await rotatedPassword(chargePointId)) ?? derive(key ?? (await passwordKey()), chargePointId);

/**
 * The passwords of many charge points, for a client that connects them all (the local simulator's
 * boot): the rotated ones listed once (refreshed at most every `refreshMs`, so a rotation counts
 * within seconds), a rotated one read, every other derived — not one Secrets Manager read per
 * charge point (1,187 GetSecretValue at each demo boot before).
 */
export const chargePointPasswords = (key: string, refreshMs = 5_000): ((chargePointId: string) => Promise<string>) => {
  let listed: { at: number; ids: Promise<Set<string>> } | undefined;
  const rotated = () => {
    if (!listed || Date.now() - listed.at > refreshMs) {
      const ids = rotatedChargePoints();
      listed = { at: Date.now(), ids };
      ids.catch(() => {
        listed = undefined;
      });
    }
    return listed.ids;
  };
  return async (chargePointId) =>
    (await rotated()).has(chargePointId) ? chargePointPassword(chargePointId, key) : derive(key, chargePointId);
};

/** A new random password for one charge point: stored (hash in the registry, value in Secrets Manager), returned once. */
export const rotateChargePointPassword = async (chargePointId: string): Promise<string | undefined> => {
  const password = randomBytes(18).toString('base64url');
  if (!(await setChargePointPassword(chargePointId, password))) return undefined;
  await putRotatedPassword(chargePointId, password);
  return password;
};
