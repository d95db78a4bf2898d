/** Worker process entry point: `npm run worker`. Configuration comes from the environment (workers/config.ts). */
import { readFileSync } from 'node:fs';
import { configuredNotificationChannels, loadWorkerConfig } from './config.ts';
import { factoryLogger, parseLogLevel } from './log.ts';
import { startWorkers } from './run.ts';
import { describeTemporalConnection } from './temporal-connection.ts';
import { describeCodecKeySource } from './codec-keys.ts';

async function main() {
  const config = loadWorkerConfig();
  const bundlePath = process.env.MIGRATION_FACTORY_WORKFLOW_BUNDLE;
  const workers = await startWorkers(config, {
    workflowBundle: bundlePath ? { code: readFileSync(bundlePath, 'utf8') } : undefined,
  });
  // Channel names only: their URLs are secrets.
  const channels = config.notifications ? configuredNotificationChannels(config.notifications) : [];
  workers.logger.info(
    {
      temporal: describeTemporalConnection(config.temporal),
      notifications: channels,
      payloadKeys: describeCodecKeySource(config.codec),
      ...(workers.metricsUrl ? { metricsUrl: workers.metricsUrl } : {}),
    },
    `worker ready: ${describeTemporalConnection(config.temporal)}; notifications: ${channels.length > 0 ? channels.join(', ') : 'none configured'}`,
  );
  // Worker.run() already shuts down gracefully on SIGINT/SIGTERM (Runtime's shutdown signals).
  await workers.done;
}

main().catch((error: unknown) => {
  // Before the Runtime's logger exists (a configuration error) the line is still JSON.
  let level;
  try {
    level = parseLogLevel(process.env.FACTORY_LOG_LEVEL);
  } catch {
    level = 'info' as const;
  }
  factoryLogger({ service: 'worker', level }).fatal(
    { err: error },
    error instanceof Error ? error.message : String(error),
  );
  process.exit(1);
});
