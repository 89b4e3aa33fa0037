/**
 * The local runtime's readiness check (`GET /health`): every simulated connector's status stored as
 * its pile reported it since this start. It reads only what is still unknown, a page at a time:
 * the connectors not yet seen are kept in order, each check reads the first page of them (one
 * strongly consistent BatchGet of up to 100) and forgets those now reported, and goes on to the next
 * page only while a page is complete. A check during the boot burst therefore costs one BatchGet,
 * not a Scan of the whole stations table competing with the ingest for DynamoDB Local; once every
 * connector is known the answer stays true and nothing is read again.
 */

export interface ConnectorKey {
  stationId: string;
  connectorId: string;
}

/** the stored status version per connector of the given keys (absent or undefined: none stored) */
export type ReadVersions = (keys: readonly ConnectorKey[]) => Promise<ReadonlyMap<string, { version: number } | undefined>>;

const PAGE = 100;

export class StatusReadiness {
  private pending: ConnectorKey[];

  /**
   * @param keys every connector that must have reported
   * @param since the least status version that counts (a status left by the last run does not)
   */
  constructor(
    keys: readonly ConnectorKey[],
    private readonly since: number,
    private readonly read: ReadVersions,
  ) {
    this.pending = [...keys];
  }

  /** connectors not yet known to have reported (as of the last check) */
  unknown(): number {
    return this.pending.length;
  }

  /** reads the first page(s) of the unknown connectors; true once every connector has reported */
  async check(): Promise<boolean> {
    while (this.pending.length) {
      const page = this.pending.slice(0, PAGE);
      const stored = await this.read(page);
      const missing = page.filter((k) => (stored.get(k.connectorId)?.version ?? -1) < this.since);
      this.pending = [...missing, ...this.pending.slice(page.length)];
      if (missing.length) return false;
    }
    return true;
  }
}
