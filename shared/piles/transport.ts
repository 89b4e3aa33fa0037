/**
 * How a pile command reaches the pile. One interface, two implementations:
 *   - `iot` (AWS, the default): AWS IoT Core MQTT, topic `evcs/piles/<ConnectorID>/commands`, QoS 1,
 *     JSON payload = the command. The pile firmware subscribes to its connectors' topics.
 *   - `local`: POST the command to the local pile simulator (`<PILE_SIM_URL>/commands`), which
 *     answers with PileSessionStarted / PileSessionStopped events on the bus like a real pile.
 * Chosen by PILE_TRANSPORT (shared/config.ts). Both throw on a failed hand-over, so the gateway's
 * queue retries the command and finally parks it in the DLQ: a command is never lost silently.
 */
import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { tracer } from '#powertools';
import type { DetailOf } from '../../events/define.ts';
import type { PileCommandRequested } from '../../events/piles.ts';
import { config } from '../config.ts';

export type PileCommand = DetailOf<typeof PileCommandRequested>;

export interface PileTransport {
  send(cmd: PileCommand): Promise<void>;
}

export class PileTransportError extends Error {}

/** the MQTT topic a connector's commands are published to */
export const commandTopic = (connectorId: string): string => `evcs/piles/${connectorId}/commands`;

/** AWS IoT Core: one MQTT publish per command, QoS 1 (at least once to the subscribed pile). */
export class IotPileTransport implements PileTransport {
  constructor(private readonly client: IoTDataPlaneClient = tracer.captureAWSv3Client(new IoTDataPlaneClient({}))) {}

  async send(cmd: PileCommand): Promise<void> {
    await this.client.send(
      new PublishCommand({
        topic: commandTopic(cmd.ConnectorID),
        qos: 1,
        contentType: 'application/json',
        payload: new TextEncoder().encode(JSON.stringify(cmd)),
      }),
    );
  }
}

/** The local simulator's loopback endpoint. Local runtime only. */
export class LocalPileTransport implements PileTransport {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async send(cmd: PileCommand): Promise<void> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/commands`;
    const res = await this.fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cmd) });
    if (!res.ok) throw new PileTransportError(`pile simulator at ${url} answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
  }
}

let cached: PileTransport | undefined;

/** The transport this process is configured for (built once). */
export const pileTransport = (): PileTransport => {
  if (cached) return cached;
  const c = config();
  if (c.PILE_TRANSPORT === 'local') {
    if (!c.PILE_SIM_URL) throw new Error('configuration: PILE_SIM_URL is required when PILE_TRANSPORT=local');
    cached = new LocalPileTransport(c.PILE_SIM_URL);
  } else cached = new IotPileTransport();
  return cached;
};

/** for tests and the local runtime after the environment changed */
export const resetPileTransport = (): void => {
  cached = undefined;
};
