/**
 * The worker's telemetry: the Temporal SDK's Runtime installed with the factory's JSON logger (workflow and
 * activity log calls keep the ids the SDK adds) and its Prometheus exporter on a loopback port, and one
 * `/metrics` endpoint that serves the factory's own metrics (`workers/arm-metrics.ts`) followed by the SDK's,
 * so Prometheus scrapes one target per worker. docs/observability.md describes both.
 */
import { makeTelemetryFilterString, Runtime, type TelemetryOptions } from '@temporalio/worker';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream, Logger } from 'pino';
import { freePort } from '../cli/stack/ports.ts';
import { WorkerMetrics } from './arm-metrics.ts';
import type { WorkerConfig } from './config.ts';
import { factoryLogger, TemporalPinoLogger, type FactoryLogLevel } from './log.ts';

interface InstalledRuntime {
  logger: Logger;
  /** The SDK exporter's loopback address, when metrics are on. */
  sdkMetricsAddress?: string;
}

/** The Runtime is a process-wide singleton: the first worker start installs it, later ones share it. */
let installed: InstalledRuntime | undefined;

export interface RuntimeTelemetryOptions {
  level: FactoryLogLevel;
  destination?: DestinationStream;
  /** Port of the SDK's Prometheus exporter on 127.0.0.1; undefined = no SDK metrics. */
  sdkMetricsPort?: number;
}

/**
 * Installs the SDK Runtime with the factory's logger (and core's own logs forwarded to it) once per
 * process. Fails if something already created the Runtime with its defaults (a connection or worker made
 * before the first `startWorkers`), since its logs would bypass the JSON logger.
 */
export function installRuntime(options: RuntimeTelemetryOptions): InstalledRuntime {
  if (installed) return installed;
  const logger = factoryLogger({
    service: 'worker',
    level: options.level,
    ...(options.destination ? { destination: options.destination } : {}),
  });
  const sdkMetricsAddress =
    options.sdkMetricsPort === undefined ? undefined : `127.0.0.1:${options.sdkMetricsPort}`;
  const coreLevel = options.level === 'trace' ? 'TRACE' : options.level === 'debug' ? 'DEBUG' : 'WARN';
  const telemetryOptions: TelemetryOptions = {
    logging: { filter: makeTelemetryFilterString({ core: coreLevel, other: 'ERROR' }), forward: {} },
    ...(sdkMetricsAddress
      ? { metrics: { prometheus: { bindAddress: sdkMetricsAddress, useSecondsForDurations: true } } }
      : {}),
  };
  Runtime.install({ logger: new TemporalPinoLogger(logger), telemetryOptions });
  installed = { logger, ...(sdkMetricsAddress ? { sdkMetricsAddress } : {}) };
  return installed;
}

export interface WorkerTelemetry {
  logger: Logger;
  metrics: WorkerMetrics;
  /** `http://host:port/metrics` when FACTORY_METRICS_PORT is set. */
  metricsUrl?: string;
  close(): Promise<void>;
}

export async function startWorkerTelemetry(
  config: WorkerConfig,
  options: { quiet?: boolean; logDestination?: DestinationStream } = {},
): Promise<WorkerTelemetry> {
  const wantsMetrics = config.FACTORY_METRICS_PORT !== undefined;
  const runtime =
    installed ??
    installRuntime({
      level: options.quiet ? 'error' : config.FACTORY_LOG_LEVEL,
      ...(options.logDestination ? { destination: options.logDestination } : {}),
      ...(wantsMetrics ? { sdkMetricsPort: config.FACTORY_METRICS_TEMPORAL_PORT ?? (await freePort()) } : {}),
    });
  const metrics = new WorkerMetrics();
  if (!wantsMetrics) return { logger: runtime.logger, metrics, close: () => Promise.resolve() };
  const server = await serveMetrics(
    metrics,
    runtime.sdkMetricsAddress,
    config.FACTORY_METRICS_HOST,
    config.FACTORY_METRICS_PORT!,
  );
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const metricsUrl = `http://${host}:${port}/metrics`;
  runtime.logger.info({ metricsUrl }, 'worker metrics endpoint listening');
  return {
    logger: runtime.logger,
    metrics,
    metricsUrl,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The factory's metrics, then the SDK exporter's page (its families are all `temporal_`-prefixed). */
async function serveMetrics(
  metrics: WorkerMetrics,
  sdkMetricsAddress: string | undefined,
  host: string,
  port: number,
): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: scrape /metrics\n');
      return;
    }
    void Promise.all([metrics.registry.metrics(), sdkMetrics(sdkMetricsAddress)]).then(
      ([own, sdk]) =>
        response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(`${own}\n${sdk}`),
      (error: unknown) =>
        response
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new Error(
          `FACTORY_METRICS_HOST/FACTORY_METRICS_PORT: cannot listen on ${host}:${port}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    server.listen({ host, port }, resolve);
  });
  return server;
}

async function sdkMetrics(address: string | undefined): Promise<string> {
  if (!address) return '';
  try {
    const response = await fetch(`http://${address}/metrics`);
    return response.ok
      ? await response.text()
      : `# Temporal SDK metrics unavailable: HTTP ${response.status}\n`;
  } catch (error) {
    // A comment keeps the page valid: the factory's metrics are still worth scraping.
    return `# Temporal SDK metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`;
  }
}
