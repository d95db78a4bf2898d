/** Public entry of the Azure + vCenter simulator. */
import type { AddressInfo } from 'node:net';
import { ensureTlsMaterial } from './certificates.ts';
import { SimulatedClock } from './clock.ts';
import { applyScheduledEvent } from './events.ts';
import { createSimulatorServer } from './server.ts';
import { Simulation } from './simulation.ts';
import { resolveFaultConfig, type FaultConfigInput } from './faults.ts';
import { emptyState, loadSnapshot, SnapshotWriter } from './store.ts';
import { resolveThrottleLimits, Throttle, type ThrottleLimits } from './throttling.ts';

export type { ThrottleLimits, BucketLimits } from './throttling.ts';
export type { AuditEntry } from './audit.ts';
export type { FaultConfig, FaultConfigInput } from './faults.ts';

export interface SimulatorOptions {
  /** Interface to listen on; default '127.0.0.1'. */
  host?: string;
  /** Default 0: a random free port. */
  port?: number;
  /** Holds ca.pem, ca-key.pem, server.pem, server-key.pem (generated once, then reused) and snapshot.json. */
  stateDir: string;
  /** Simulated seconds per real second; default 600. */
  speed?: number;
  /** Seeds ids and fault injection; default 1. */
  seed?: number;
  /** Default true: snapshot state to stateDir/snapshot.json (debounced, atomic) and restore it on start. */
  persist?: boolean;
  /** ARM token-bucket sizes and refill per request kind (real seconds); `false` disables throttling. */
  throttling?: Partial<ThrottleLimits> | false;
  /** Extra DNS names for the server certificate (e.g. `simulator` in docker-compose). */
  hostnames?: string[];
  /** Fault injection at start (replaces the snapshot's configuration when given); see docs/simulator.md. */
  faults?: FaultConfigInput;
}

export interface RunningSimulator {
  /** e.g. 'https://127.0.0.1:8443' */
  endpoint: string;
  port: number;
  /** PEM of the generated CA that clients trust. */
  caCertPath: string;
  caCertPem: string;
  /** Flushes the snapshot and closes the server and its connections. */
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  const persist = options.persist ?? true;
  const tls = await ensureTlsMaterial(options.stateDir, options.hostnames);
  const restored = persist ? await loadSnapshot(options.stateDir) : undefined;
  const state = restored ?? emptyState(Date.now());
  const clock = new SimulatedClock(state.simulatedTime, options.speed ?? 600);
  const writerRef: { current?: SnapshotWriter } = {};
  const sim = new Simulation(
    state,
    clock,
    options.seed ?? 1,
    () => writerRef.current?.markDirty(),
    applyScheduledEvent,
  );
  const writer = persist ? new SnapshotWriter(options.stateDir, () => sim.snapshot()) : undefined;
  writerRef.current = writer;
  if (options.faults) sim.faults.replace(resolveFaultConfig(options.faults, Date.now()));
  const throttle = new Throttle(resolveThrottleLimits(options.throttling));
  const server = createSimulatorServer(sim, throttle, tls);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `https://${urlHost(host)}:${port}`;
  sim.endpoint = endpoint;

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    port,
    caCertPath: tls.caCertPath,
    caCertPem: tls.caCertPem,
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        if (writer) {
          writer.markDirty();
          await writer.flush();
        }
      })();
      return closing;
    },
  };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '127.0.0.1' || host === 'localhost' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
