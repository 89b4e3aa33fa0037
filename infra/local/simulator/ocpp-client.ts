/**
 * A real OCPP 1.6J charge point client: ocpp-rpc's RPCClient (its bundled typings require every
 * option; this is the part we use, typed). The simulator's OCPP link, the tests and the benches
 * all connect through it.
 */
import { RPCClient } from 'ocpp-rpc';

export interface OcppClient {
  connect(): Promise<unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: an OCPP CALLRESULT payload, shaped by the action
  call(action: string, params: object): Promise<any>;
  handle(action: string, fn: (c: { params: Record<string, unknown> }) => unknown): void;
  close(opts?: { force?: boolean }): Promise<unknown>;
  on(event: 'close', fn: () => void): unknown;
}

export interface OcppClientOptions {
  /** `ws://…/ocpp`: the client connects to `<endpoint>/<identity>` */
  endpoint: string;
  identity: string;
  password: string;
  reconnect?: boolean;
  callTimeoutMs?: number;
}

export const ocppClient = (o: OcppClientOptions): OcppClient =>
  new RPCClient({ protocols: ['ocpp1.6'], strictMode: true, reconnect: false, ...o } as never) as unknown as OcppClient;
