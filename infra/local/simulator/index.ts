/**
 * The pile simulator's public surface (local runtime only; never deployed):
 *   startPileSimulator(stations, options) → a running PileSimulator publishing to the bus;
 *   simulatorRoutes(sim) → the `/local/sim/...` admin + transport endpoints (routes.ts).
 */
import { connectorsFromStations } from './connectors.ts';
import { busSink } from './outbox.ts';
import { PileSimulator, type SimulatorOptions } from './simulator.ts';

export { PileSimulator, SimError, ADMIN_STATES } from './simulator.ts';
export type { AdminState, ConnectorView, SessionView, SimState, SimMode, RefuseReason, VehicleOverride, SimulatorOptions, CommandReceipt } from './simulator.ts';
export { connectorsFromStations, type SimConnectorSpec } from './connectors.ts';
export { simulatorRoutes, startSimulatorServer, SIM_BASE_PATH, AdminRequestSchema } from './routes.ts';
export { busSink, Outbox, type SimEvent, type SimEventType, type Sink } from './outbox.ts';

/** tuning the local runtime passes through (everything but the connectors and the sink) */
export type SimulatorTuning = Omit<SimulatorOptions, 'connectors' | 'sink' | 'manualClock'>;

/** A simulator for the seed's stations, publishing through the real SDK to the platform's bus (not started). */
export const createPileSimulator = (stations: readonly unknown[], tuning: SimulatorTuning = {}): PileSimulator =>
  new PileSimulator({ ...tuning, connectors: connectorsFromStations(stations), sink: busSink });
