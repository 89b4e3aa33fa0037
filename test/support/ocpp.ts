/** A real OCPP 1.6J charge point for tests and benches (ocpp-rpc's RPCClient, typed): the simulator's own client. */
import type { Platform } from '../../infra/local/platform.ts';
import { type OcppClient, ocppClient } from '../../infra/local/simulator/ocpp-client.ts';
import { getConnectorView } from '../../shared/store/connector-view.ts';
import { eventually } from './eventually.ts';

export { type OcppClient, ocppClient };

/** a call the central system made on the charge point */
export interface RemoteCall {
  action: string;
  params: Record<string, unknown>;
}

/** an OCPP timestamp of now */
export const isoNow = (): string => new Date().toISOString();

/** until the platform's stored status of `connectorId` is `status` (T/CEC ConnectorStatus) */
export const waitStatus = (connectorId: string, status: number) =>
  eventually(async () => (await getConnectorView(connectorId))?.status, {
    until: (s) => s === status,
    what: `${connectorId} status ${status}`,
  });

/**
 * Connect charge point `identity` (connectors `<identity>C1`, `<identity>C2`) to the platform's OCPP
 * endpoint, answer each of `accepts` with Accepted (recording it in `remote`), boot it, report both
 * connectors Available and wait until the platform has stored them so.
 */
export const bootChargePoint = async (
  platform: Platform,
  opts: { identity: string; password: string; accepts: readonly string[]; remote: RemoteCall[] },
): Promise<OcppClient> => {
  const cp = ocppClient({ endpoint: `${platform.apiUrl.replace(/^http/, 'ws')}/ocpp`, identity: opts.identity, password: opts.password });
  for (const action of opts.accepts)
    cp.handle(action, ({ params }) => {
      opts.remote.push({ action, params });
      return { status: 'Accepted' };
    });
  await cp.connect();
  await cp.call('BootNotification', { chargePointVendor: 'EVCS', chargePointModel: 'Test-1' });
  for (const connectorId of [1, 2])
    await cp.call('StatusNotification', { connectorId, errorCode: 'NoError', status: 'Available', timestamp: isoNow() });
  await waitStatus(`${opts.identity}C1`, 1);
  await waitStatus(`${opts.identity}C2`, 1);
  return cp;
};
