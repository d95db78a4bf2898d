/** `factory stack`: the embedded stack in the foreground until SIGINT/SIGTERM. */
import { resolve } from 'node:path';
import { startEmbeddedStack } from './embedded.ts';

export interface RunStackOptions {
  speed: number;
  temporalPort: number;
  uiPort: number;
  simulatorPort: number;
  dataDir: string;
  print: (line: string) => void;
}

export async function runStack(options: RunStackOptions) {
  const { print } = options;
  const stack = await startEmbeddedStack({
    temporalPort: options.temporalPort,
    uiPort: options.uiPort,
    simulatorPort: options.simulatorPort,
    dataDir: resolve(options.dataDir),
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
