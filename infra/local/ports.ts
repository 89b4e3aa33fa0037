/** Small helpers shared by the local runtime's servers. */
import { createServer, type Server } from 'node:net';

/** A free TCP port on 127.0.0.1 (asks the OS for port 0, then releases it). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not allocate a port'))));
    });
  });

const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

/**
 * A free port below the kernel's ephemeral range (32768–60999 on Linux), for a port chosen now and
 * listened on later (by a child process, say): nothing that binds port 0 meanwhile can be given it,
 * as it could be the ephemeral port `freePort` returns.
 */
export const portBelowEphemeral = async (): Promise<number> => {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port in 20000–31999');
};

/** listen on 127.0.0.1:port (0 = any) and resolve with the bound port */
export const listen = (server: Server | import('node:http').Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });

/** close a server, dropping idle keep-alive sockets so close() does not hang */
export const closeServer = (server: import('node:http').Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
