/**
 * The pile simulator's public surface (local runtime only; never deployed):
 *   startPileSimulator(stations, options) → a running PileSimulator publishing to the bus;
 *   simulatorRoutes(sim) → the `/local/sim/...` admin + transport endpoints (routes.ts).
 */
import { connectorsFromStations } from './connectors.ts';
import { busSink } from './outbox.ts';
import { PileSimulator, type SimulatorOptions } from './simulator.ts';

export { SIM_BASE_PATH, simulatorRoutes, startSimulatorServer } from './routes.ts';
export type { AdminState } from './simulator.ts';
export { PileSimulator } from './simulator.ts';

/** tuning the local runtime passes through (everything but the connectors and the sink; tests may pass `manualClock` and drive time with advance()) */
export type SimulatorTuning = Omit<SimulatorOptions, 'connectors' | 'sink'>;

/** A simulator for the seed's stations, publishing through the real SDK to the platform's bus (not started). */
export const createPileSimulator = (stations: readonly unknown[], tuning: SimulatorTuning = {}): PileSimulator =>
  new PileSimulator({ ...tuning, connectors: connectorsFromStations(stations), sink: busSink });
