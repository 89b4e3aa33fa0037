/**
 * The simulated car park gateway (local only, never deployed): the barrier and the ground locks of
 * every station whose `CarParkGatewayUrl` points here, `http://127.0.0.1:<port>/carparks/<site>/`.
 * It speaks the contract shared/parking/car-park-gateway.ts calls:
 *
 *   POST /carparks/<site>/waivers              { StartChargeSeq, StationID, CarNumber, FreeMinutes }
 *        → 200 { ok, gate: 'open' }   the barrier opens for the plate (idempotent per StartChargeSeq)
 *   POST /carparks/<site>/locks/<LockNum>/drop  → 200 { LockStatus: 10 } | 409 { error } (faulted)
 *   POST /carparks/<site>/locks/<LockNum>/raise → 200 { LockStatus: 50 } | 409 { error }
 *
 * and the operator's/test's controls (the admin routes):
 *
 *   POST /admin/gate   { mode: 'up' | 'down' | 'timeout' }   the car park's system (barrier and locks alike)
 *                      down: HTTP 503; timeout: never answers
 *   POST /admin/locks/<site>/<LockNum>   { state: 'fault' | 'ok' }
 *   GET  /admin/state   the waivers applied and the locks' positions, per site
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type GateMode = 'up' | 'down' | 'timeout';

interface AppliedWaiver {
  StartChargeSeq: string;
  StationID: string;
  CarNumber: string;
  FreeMinutes: number;
  at: string;
}

export interface CarPark {
  /** base URL of a site's gateway (what a station's `CarParkGatewayUrl` names) */
  siteUrl(site: string): string;
  readonly port: number;
  setGate(mode: GateMode): void;
  setLockFault(site: string, lockNum: string, faulted: boolean): void;
  /** the waivers the barrier applied at a site, in order (one per StartChargeSeq) */
  waivers(site: string): readonly AppliedWaiver[];
  /** a lock's position: 10 dropped, 50 raised (a lock never moved is raised) */
  lockStatus(site: string, lockNum: string): 10 | 50;
  /** gate calls received (every attempt, answered or not) */
  readonly gateCalls: number;
  /** lock moves (drop, raise) received (every attempt, answered or not) */
  readonly lockCalls: number;
  stop(): Promise<void>;
}

const readJson = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return undefined;
  }
};

const answer = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

/** Start the simulated car park gateway on `port` (0: any free port) on loopback. */
export const startCarPark = async (port = 0): Promise<CarPark> => {
  let gate: GateMode = 'up';
  let gateCalls = 0;
  let lockCalls = 0;
  const waivers = new Map<string, AppliedWaiver[]>();
  const locks = new Map<string, { status: 10 | 50; faulted: boolean }>();
  /** requests held by `timeout` mode, ended when the mode changes or the server stops */
  const held = new Set<ServerResponse>();
  const lockOf = (site: string, num: string) => {
    const k = `${site}/${num}`;
    let l = locks.get(k);
    if (!l) {
      l = { status: 50, faulted: false };
      locks.set(k, l);
    }
    return l;
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const body = req.method === 'POST' ? await readJson(req) : {};
      if (body === undefined) return answer(res, 400, { error: 'not JSON' });
      const b = body as Record<string, unknown>;

      if (parts[0] === 'admin') {
        if (req.method === 'GET' && parts[1] === 'state')
          return answer(res, 200, { gate, waivers: Object.fromEntries(waivers), locks: Object.fromEntries(locks) });
        if (req.method === 'POST' && parts[1] === 'gate' && (b.mode === 'up' || b.mode === 'down' || b.mode === 'timeout')) {
          api.setGate(b.mode);
          return answer(res, 200, { gate });
        }
        if (req.method === 'POST' && parts[1] === 'locks' && parts.length === 4 && (b.state === 'fault' || b.state === 'ok')) {
          api.setLockFault(parts[2] as string, parts[3] as string, b.state === 'fault');
          return answer(res, 200, lockOf(parts[2] as string, parts[3] as string));
        }
        return answer(res, 404, { error: 'unknown admin route' });
      }

      if (req.method !== 'POST' || parts[0] !== 'carparks' || !parts[1]) return answer(res, 404, { error: 'not found' });
      const site = parts[1];
      if (parts[2] === 'waivers' && parts.length === 3) {
        gateCalls++;
        if (gate === 'down') return answer(res, 503, { error: 'gate system down' });
        if (gate === 'timeout') {
          held.add(res);
          res.on('close', () => held.delete(res));
          return;
        }
        if (typeof b.StartChargeSeq !== 'string' || typeof b.CarNumber !== 'string' || typeof b.FreeMinutes !== 'number')
          return answer(res, 400, { error: 'StartChargeSeq, CarNumber and FreeMinutes required' });
        const list = waivers.get(site) ?? [];
        if (!list.some((w) => w.StartChargeSeq === b.StartChargeSeq))
          list.push({
            StartChargeSeq: b.StartChargeSeq,
            StationID: String(b.StationID ?? site),
            CarNumber: b.CarNumber,
            FreeMinutes: b.FreeMinutes,
            at: new Date().toISOString(),
          });
        waivers.set(site, list);
        return answer(res, 200, { ok: true, gate: 'open' });
      }
      if (parts[2] === 'locks' && parts.length === 5 && (parts[4] === 'drop' || parts[4] === 'raise')) {
        lockCalls++;
        // the locks are driven by the same car park system as the barrier: down or hanging alike
        if (gate === 'down') return answer(res, 503, { error: 'car park system down' });
        if (gate === 'timeout') {
          held.add(res);
          res.on('close', () => held.delete(res));
          return;
        }
        const lock = lockOf(site, parts[3] as string);
        if (lock.faulted) return answer(res, 409, { error: 'lock faulted' });
        lock.status = parts[4] === 'drop' ? 10 : 50;
        return answer(res, 200, { LockStatus: lock.status });
      }
      return answer(res, 404, { error: 'not found' });
    })().catch((err: Error) => answer(res, 500, { error: err.message }));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const releaseHeld = () => {
    for (const r of held) r.destroy();
    held.clear();
  };

  const api: CarPark = {
    port: bound,
    siteUrl: (site) => `http://127.0.0.1:${bound}/carparks/${encodeURIComponent(site)}/`,
    setGate: (mode) => {
      gate = mode;
      if (mode !== 'timeout') releaseHeld();
    },
    setLockFault: (site, lockNum, faulted) => {
      lockOf(site, lockNum).faulted = faulted;
    },
    waivers: (site) => waivers.get(site) ?? [],
    lockStatus: (site, lockNum) => lockOf(site, lockNum).status,
    get gateCalls() {
      return gateCalls;
    },
    get lockCalls() {
      return lockCalls;
    },
    stop: async () => {
      releaseHeld();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
};

/**
 * The simulated car parks the seed's stations name: one gateway per loopback port among their
 * `CarParkGatewayUrl`s, where nothing listens yet (a test may run its own; another URL is real).
 */
export const startSeedCarParks = async (stations: readonly { CarParkGatewayUrl?: string | undefined }[], log: (line: string) => void) => {
  const ports = new Set<number>();
  for (const s of stations) {
    const m = s.CarParkGatewayUrl?.match(/^http:\/\/(?:127\.0\.0\.1|localhost):(\d+)\//);
    if (m) ports.add(Number(m[1]));
  }
  const parks: CarPark[] = [];
  for (const port of ports) {
    try {
      parks.push(await startCarPark(port));
      log(`car park simulator (barrier and ground locks) on http://127.0.0.1:${port}/carparks/`);
    } catch (err) {
      log(`car park simulator not started on port ${port}: ${(err as Error).message}`);
    }
  }
  return parks;
};
