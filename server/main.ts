/**
 * `npm run server`: the factory server, configured from the environment (docs/server.md). Temporal's
 * address, namespace and credentials come from the same variables the workers read; people never need them.
 * Logs are JSON lines (pino, docs/observability.md) at FACTORY_LOG_LEVEL.
 */
import { toExit } from '../cli/operate/exit-codes.ts';
import { factoryLogger, parseLogLevel } from '../workers/log.ts';
import { buildServer } from './app.ts';
import { describeConfig, loadServerConfig, ServerConfigError } from './config.ts';

async function main() {
  let level;
  try {
    level = parseLogLevel(process.env.FACTORY_LOG_LEVEL);
  } catch (error) {
    throw new ServerConfigError(error instanceof Error ? error.message : String(error));
  }
  const logger = factoryLogger({ service: 'server', level });
  const config = loadServerConfig();
  const app = await buildServer(config, { logger });
  app.log.info(describeConfig(config), 'factory server configuration');
  await app.listen({ host: config.host, port: config.port });
  const stop = () => {
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof ServerConfigError ? error.message : toExit(error).message;
  factoryLogger({ service: 'server' }).fatal({ err: error }, `factory server: ${message}`);
  process.exit(1);
});
