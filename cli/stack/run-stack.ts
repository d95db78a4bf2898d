/** `factory stack`: the embedded stack in the foreground until SIGINT/SIGTERM. */
import { startEmbeddedStack } from './embedded.ts';

export async function runStack(options: { speed: number; print: (line: string) => void }) {
  const { print } = options;
  const stack = await startEmbeddedStack({
    temporalPort: 7233,
    uiPort: 8233,
    simulatorPort: 8443,
    persist: true,
    speed: options.speed,
    log: print,
  });
  print(`Temporal frontend  ${stack.temporal.address}`);
  print(`Temporal Web UI    ${stack.temporal.uiUrl}`);
  print(
    `Azure simulator    ${stack.simulator.endpoint}  (trust with NODE_EXTRA_CA_CERTS=${stack.simulator.caCertPath})`,
  );
  print('Workers            task queues migration-factory, migration-factory-azure');
  print('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  print('Stopping ...');
  await stack.stop();
}
