/** Worker process entry point: `npm run worker`. Configuration comes from the environment (workers/config.ts). */
import { readFileSync } from 'node:fs';
import { configuredChannels } from '../activities/notify.ts';
import { loadWorkerConfig } from './config.ts';
import { startWorkers } from './run.ts';
import { describeTemporalConnection } from './temporal-connection.ts';
import { describeCodecKeySource } from './codec-keys.ts';

async function main() {
  const config = loadWorkerConfig();
  const bundlePath = process.env.MIGRATION_FACTORY_WORKFLOW_BUNDLE;
  const workers = await startWorkers(config, {
    workflowBundle: bundlePath ? { code: readFileSync(bundlePath, 'utf8') } : undefined,
  });
  console.log(`worker ready: ${describeTemporalConnection(config.temporal)}`);
  console.log(`payload encryption: keys from ${describeCodecKeySource(config.codec)}`);
  // Channel names only: their URLs are secrets.
  const channels = config.notifications ? configuredChannels(config.notifications) : [];
  console.log(`notifications: ${channels.length > 0 ? channels.join(', ') : 'none configured'}`);
  // Worker.run() already shuts down gracefully on SIGINT/SIGTERM (Runtime's shutdown signals).
  await workers.done;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
