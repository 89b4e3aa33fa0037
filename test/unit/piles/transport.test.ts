/**
 * The simulator's loopback transport: what the local path sends to the simulator (a real loopback
 * server). The OCPP path is tested end to end in test/integration/ocpp-*.test.ts.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { PileCommandRequested, PileReservationRequested } from '../../../events/piles.ts';
import { LocalPileTransport, type PileCommand, PileTransportError } from '../../../shared/piles/transport.ts';

const cmd: PileCommand = PileCommandRequested.sample;

describe('LocalPileTransport (simulator)', () => {
  const serve = async (status: number) => {
    const got: { method?: string; url?: string; body: string }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push({ method: req.method, url: req.url, body });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end('{"taken":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    return { url: `http://127.0.0.1:${port}/local/sim`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
  };

  it('POSTs the command to <PILE_SIM_URL>/commands', async () => {
    const s = await serve(202);
    try {
      await new LocalPileTransport(s.url).send(cmd);
      expect(s.got).toEqual([{ method: 'POST', url: '/local/sim/commands', body: JSON.stringify(cmd) }]);
    } finally {
      await s.close();
    }
  });

  it('a reservation goes to <PILE_SIM_URL>/reservations; a start on a reservation is still a command', async () => {
    const s = await serve(202);
    try {
      const onReservation: PileCommand = { ...cmd, ReserveSeq: 'MA01H3BQ2202611230930450009' };
      await new LocalPileTransport(s.url).send(PileReservationRequested.sample);
      await new LocalPileTransport(s.url).send(onReservation);
      expect(s.got.map((g) => [g.url, JSON.parse(g.body)])).toEqual([
        ['/local/sim/reservations', PileReservationRequested.sample],
        ['/local/sim/commands', onReservation],
      ]);
    } finally {
      await s.close();
    }
  });

  it('a simulator that does not answer within the timeout rejects (the command alone fails, not its batch)', async () => {
    const held: ServerResponse[] = [];
    const server = createServer((_req, res) => void held.push(res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    try {
      await expect(new LocalPileTransport(`http://127.0.0.1:${port}/local/sim`, fetch, 50).send(cmd)).rejects.toThrow(PileTransportError);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('an HTTP error from the simulator rejects', async () => {
    const s = await serve(500);
    try {
      await expect(new LocalPileTransport(s.url).send(cmd)).rejects.toBeInstanceOf(PileTransportError);
    } finally {
      await s.close();
    }
  });
});
