/**
 * The pile simulator's public surface (local runtime only; never deployed):
 *   startPileSimulator(stations, options) → a running PileSimulator publishing to the bus;
 *   createOcppPileSimulator(stations, link) → one whose piles speak OCPP 1.6J to the gateway (ocpp-link.ts);
 *   simulatorRoutes(sim) → the `/local/sim/...` admin + transport endpoints (routes.ts).
 */
import { connectorsFromStations } from './connectors.ts';
import { type OcppLinkOptions, OcppSimLink } from './ocpp-link.ts';
import { busSink } from './outbox.ts';
import { PileSimulator, type SimulatorOptions } from './simulator.ts';

export type { OcppSimLink } from './ocpp-link.ts';
export { SIM_BASE_PATH, simulatorRoutes, startSimulatorServer } from './routes.ts';
export type { AdminState } from './simulator.ts';
export { PileSimulator } from './simulator.ts';

/** tuning the local runtime passes through (everything but the connectors and the sink; tests may pass `manualClock` and drive time with advance()) */
export type SimulatorTuning = Omit<SimulatorOptions, 'connectors' | 'sink'>;

/** A simulator for the seed's stations, publishing through the real SDK to the platform's bus (not started). */
export const createPileSimulator = (stations: readonly unknown[], tuning: SimulatorTuning = {}): PileSimulator =>
  new PileSimulator({ ...tuning, connectors: connectorsFromStations(stations), sink: busSink });

/**
 * A simulator whose piles are OCPP 1.6J clients of the gateway (ocpp-link.ts; `link.open(endpoint, passwordOf)` before start): no
 * sink, its events become OCPP calls; the gateway's calls become its commands. Not started.
 */
export const createOcppPileSimulator = (
  stations: readonly unknown[],
  tuning: SimulatorTuning = {},
  link: Omit<OcppLinkOptions, 'connectors'> = {},
): { sim: PileSimulator; link: OcppSimLink } => {
  const connectors = connectorsFromStations(stations);
  const ocpp = new OcppSimLink({ ...link, connectors });
  const sim = new PileSimulator({
    ...tuning,
    connectors,
    onEvent: (e) => {
      tuning.onEvent?.(e);
      ocpp.onEvent(e);
    },
  });
  ocpp.attach(sim);
  return { sim, link: ocpp };
};
