/**
 * What a partner may see and receive — domain rules over the partner record, no I/O.
 *
 * A station that is not granted is indistinguishable from one that does not exist (§3.1–§3.7:
 * never listed, never counted, answered like an unknown one).
 */

/** The part of a partner record the grant rule reads ('*' = every station). Structural: the domain does not import the store. */
export interface Grantee {
  readonly stations: '*' | readonly string[];
}

/** May this partner see and use the station? '*' grants every station. */
export const isStationGranted = (partner: Grantee, stationId: string): boolean =>
  partner.stations === '*' || partner.stations.includes(stationId);

/** Can this partner receive pushes at all: active, with an outbound endpoint. */
export const pushable = (p: { readonly status: string; readonly outbound?: unknown }): boolean =>
  p.status === 'active' && p.outbound !== undefined;
