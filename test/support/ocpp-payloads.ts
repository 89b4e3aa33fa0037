/** OCPP 1.6J payloads the schema tests and the schema bench both check. */

/** RemoteStartTransaction.req with a relative TxProfile of one period at `limit` (A): the deepest schema we send */
export const remoteStartWithProfile = (limit: number) => ({
  connectorId: 1,
  idTag: 'TAG',
  chargingProfile: {
    chargingProfileId: 1,
    stackLevel: 0,
    chargingProfilePurpose: 'TxProfile',
    chargingProfileKind: 'Relative',
    chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
  },
});
