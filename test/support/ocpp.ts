/** A real OCPP 1.6J charge point for tests and benches (ocpp-rpc's RPCClient, typed): the simulator's own client. */
export { type OcppClient, ocppClient } from '../../infra/local/simulator/ocpp-client.ts';
