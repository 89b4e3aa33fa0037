/**
 * What a partner may see and receive — domain rules over the partner record, no I/O.
 *
 * A station that is not granted is indistinguishable from one that does not exist (§3.1–§3.7:
 * never listed, never counted, answered like an unknown one).
 */

/** The part of a partner record the grant rule reads ('*' = every station). Structural: the domain does not import the store. */
export interface Grantee {
  readonly stations: '*' | readonly string[];
  /** a supervision platform: sees by region, not by grant list (§5.3) */
  readonly kind?: 'commercial' | 'supervision' | undefined;
  readonly areaCodes?: readonly string[] | undefined;
}

/** A supervision platform's region: its AreaCode prefixes (the partner's, else its profile's), undefined for any other partner. */
export const regionOf = (partner: Grantee, profileAreaCodes?: readonly string[]): readonly string[] | undefined =>
  partner.kind === 'supervision' ? (partner.areaCodes ?? profileAreaCodes ?? []) : undefined;

/** Is a station with this AreaCode in the region (an AreaCode starts with one of the prefixes)? */
export const inRegion = (region: readonly string[], areaCode: string | undefined): boolean =>
  areaCode !== undefined && region.some((prefix) => areaCode.startsWith(prefix));

/**
 * May this partner see and use the station? '*' grants every station; a supervision platform sees
 * the stations of its region (`areaCode`: the station's AreaCode, needed for it), whatever `stations` says.
 */
export const isStationGranted = (partner: Grantee, stationId: string, areaCode?: string, profileAreaCodes?: readonly string[]): boolean => {
  const region = regionOf(partner, profileAreaCodes);
  if (region) return inRegion(region, areaCode);
  return partner.stations === '*' || partner.stations.includes(stationId);
};

/** Can this partner receive pushes at all: active, with an outbound endpoint. */
export const pushable = (p: { readonly status: string; readonly outbound?: unknown }): boolean =>
  p.status === 'active' && p.outbound !== undefined;
