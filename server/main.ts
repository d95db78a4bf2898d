/**
 * `npm run server`: the factory server, configured from the environment (docs/server.md). Temporal's
 * address, namespace and credentials come from the same variables the workers read; people never need them.
 */
import { toExit } from '../cli/operate/exit-codes.ts';
import { buildServer } from './app.ts';
import { describeConfig, loadServerConfig, ServerConfigError } from './config.ts';

async function main() {
  const config = loadServerConfig();
  const app = await buildServer(config, { logger: true });
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
  console.error(`factory server: ${message}`);
  process.exit(1);
});
