import { createServer } from 'node:net';

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly service: string,
  ) {
    super(
      `Port ${port} (${service}) is already in use. Stop whatever listens there (\`ss -ltnp 'sport = :${port}'\` shows it) or choose another port.`,
    );
    this.name = 'PortInUseError';
  }
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortsFree(ports: { port: number; service: string }[]): Promise<void> {
  for (const { port, service } of ports) {
    if (!(await isPortFree(port))) throw new PortInUseError(port, service);
  }
}

/** Asks the OS for a free loopback port (for tests and ephemeral stacks). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The embedded stack's fixed default ports (`npm run stack`, `npm start`); each has a `--…-port` option. */
export const defaultPorts = {
  temporal: 7233,
  ui: 8233,
  simulator: 8443,
  azurite: 10000,
  /** The factory server, as `npm run server` listens by default (FACTORY_SERVER_PORT). */
  server: 8080,
  issuer: 8088,
} as const;
