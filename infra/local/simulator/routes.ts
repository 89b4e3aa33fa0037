/**
 * The simulator's local-only HTTP endpoints (never deployed to AWS):
 *
 *   POST /local/sim/commands                  the local pile transport: a PileCommand → 202 {taken, ignored?}
 *   POST /local/sim/reservations              the same for a reservation (reserve / cancel)
 *   GET  /local/sim                           {simSpeed, now (simulated), connectors, byState}
 *   GET  /local/sim/connectors/{ConnectorID}  the connector's simulated state (ConnectorView)
 *   POST /local/sim/connectors/{ConnectorID}  {"state": …, "vehicle"?: {…}} → the new ConnectorView
 *
 * `state`:
 *   offline | fault      held until set otherwise (a running session stops: cause fault)
 *   idle                 nothing plugged; a start auto-plugs (the default driver); stops a session (unplugged)
 *   plugged              a vehicle is plugged in, not charging (409 while charging)
 *   unplugged            idle AND a start is refused `not-plugged`; stops a session (cause unplugged)
 *   local-stop           the driver stops on the pile (cause local; 409 when not charging)
 *   silent               the pile ignores every command (never answers: the timeout case)
 *   refuse               the pile refuses every start (reason `refused`)
 *   normal               leaves silent / refuse
 * `vehicle` (optional, for the next session): {socStart, batteryKwh, targetSoc, maxDcKw}.
 * `vin` (optional, plug-and-charge): a car with this VIN plugs in (state `plugged`) and the pile reports
 * it (PileVinReported; an OCPP simulated pile sends DataTransfer EVCS/VinReport).
 * Errors: 400 malformed body, 404 unknown connector, 409 not possible in the current state.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { PileCommandRequested, PileReservationRequested } from '../../../events/piles.ts';
import { VIN_RE } from '../../../shared/tcec/schemas.ts';
import { type ExtraRoute, type ExtraRouteContext, matchPath } from '../http.ts';
import { closeServer, listen } from '../ports.ts';
import { ADMIN_STATES, type AdminState, type PileSimulator, SimError } from './simulator.ts';

export const SIM_BASE_PATH = '/local/sim';

const AdminRequestSchema = z
  .object({
    state: z.enum(ADMIN_STATES as [AdminState, ...AdminState[]]).optional(),
    vehicle: z
      .object({
        socStart: z.number().min(0).max(100).optional(),
        batteryKwh: z.number().positive().max(500).optional(),
        targetSoc: z.number().min(1).max(100).optional(),
        maxDcKw: z.number().positive().max(1000).optional(),
      })
      .strict()
      .optional(),
    /** plug-and-charge (ours): a car with this VIN plugs in — the connector is held plugged and the pile reports the VIN */
    vin: z.string().regex(VIN_RE, 'vin: 17 characters, 0-9 and A-Z without I, O, Q (ISO 3779)').optional(),
  })
  .strict()
  .refine((b) => b.state !== undefined || b.vehicle !== undefined || b.vin !== undefined, 'give "state", "vehicle" and/or "vin"')
  .refine(
    (b) => b.vin === undefined || b.state === undefined || b.state === 'plugged',
    'a "vin" plugs the car in: "state" must be "plugged" or absent',
  );

const send = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

const parseJson = async (ctx: ExtraRouteContext): Promise<unknown> => {
  const raw = (await ctx.readBody()).toString('utf8');
  try {
    return JSON.parse(raw);
  } catch {
    throw new SimError(400, 'body is not JSON');
  }
};

const guard =
  (fn: (req: IncomingMessage, res: ServerResponse, ctx: ExtraRouteContext) => Promise<void> | void) =>
  async (req: IncomingMessage, res: ServerResponse, ctx: ExtraRouteContext): Promise<void> => {
    try {
      await fn(req, res, ctx);
    } catch (err) {
      if (err instanceof SimError) send(res, err.status, { message: err.message });
      // any zod 4 error: the event contracts are zod/mini, not classic
      else if (err instanceof z.core.$ZodError)
        send(res, 400, { message: err.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') });
      else send(res, 500, { message: err instanceof Error ? err.message : String(err) });
    }
  };

/** the routes, for the local cloud's `extraRoutes` or the standalone server */
export const simulatorRoutes = (sim: PileSimulator): ExtraRoute[] => [
  {
    method: 'POST',
    path: `${SIM_BASE_PATH}/commands`,
    handle: guard(async (_req, res, ctx) => {
      const cmd = PileCommandRequested.detail.parse(await parseJson(ctx));
      send(res, 202, sim.command(cmd));
    }),
  },
  {
    method: 'POST',
    path: `${SIM_BASE_PATH}/reservations`,
    handle: guard(async (_req, res, ctx) => {
      const cmd = PileReservationRequested.detail.parse(await parseJson(ctx));
      send(res, 202, sim.reserve(cmd));
    }),
  },
  {
    method: 'GET',
    path: SIM_BASE_PATH,
    handle: guard((_req, res) => {
      const byState: Record<string, number> = {};
      for (const c of sim.list()) byState[c.state] = (byState[c.state] ?? 0) + 1;
      send(res, 200, {
        simSpeed: sim.clock.speed,
        now: sim.now().toISOString(),
        connectors: sim.size(),
        byState,
        outboxPending: sim.outboxPending(),
      });
    }),
  },
  {
    method: 'GET',
    path: `${SIM_BASE_PATH}/connectors/{id}`,
    handle: guard((_req, res, ctx) => {
      const v = sim.get(ctx.params.id ?? '');
      if (!v) throw new SimError(404, `unknown connector ${ctx.params.id}`);
      send(res, 200, v);
    }),
  },
  {
    method: 'POST',
    path: `${SIM_BASE_PATH}/connectors/{id}`,
    handle: guard(async (_req, res, ctx) => {
      const id = ctx.params.id ?? '';
      const body = AdminRequestSchema.parse(await parseJson(ctx));
      if (!sim.get(id)) throw new SimError(404, `unknown connector ${id}`);
      if (body.vehicle) sim.setVehicle(id, body.vehicle);
      if (body.vin) send(res, 200, sim.plugIn(id, body.vin));
      else send(res, 200, body.state ? sim.admin(id, body.state) : sim.get(id));
    }),
  },
];

/** the same routes on their own loopback server (the standalone simulator) */
export const startSimulatorServer = async (sim: PileSimulator, port: number): Promise<{ url: string; stop(): Promise<void> }> => {
  const routes = simulatorRoutes(sim);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    for (const r of routes) {
      if (r.method !== req.method) continue;
      const params = matchPath(r.path, path);
      if (!params) continue;
      const ctx: ExtraRouteContext = {
        params,
        readBody: () =>
          new Promise((resolve, reject) => {
            const chunks: Buffer[] = [];
            req.on('data', (c: Buffer) => chunks.push(c));
            req.on('end', () => resolve(Buffer.concat(chunks)));
            req.on('error', reject);
          }),
      };
      void r.handle(req, res, ctx);
      return;
    }
    send(res, 404, { message: 'Not Found' });
  });
  const bound = await listen(server, port);
  return { url: `http://127.0.0.1:${bound}${SIM_BASE_PATH}`, stop: () => closeServer(server) };
};
