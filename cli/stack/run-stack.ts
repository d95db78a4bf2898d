/** `factory stack`: the embedded stack in the foreground until SIGINT/SIGTERM. */
import { resolve } from 'node:path';
import { demoScope } from '../../domain/demo.ts';
import { SimulatorAdmin } from '../../simulators/admin-client.ts';
import { sourceSiteFromWorkspace } from '../operate/source-site.ts';
import { startEmbeddedStack } from './embedded.ts';

export interface RunStackOptions {
  speed: number;
  temporalPort: number;
  uiPort: number;
  simulatorPort: number;
  dataDir: string;
  /** Also seed the simulator with this workspace's planned VMs, so its waves can start. */
  workspace?: string;
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
  if (options.workspace) {
    try {
      const site = await sourceSiteFromWorkspace(resolve(options.workspace));
      await new SimulatorAdmin(stack.simulator.endpoint, stack.simulator.caCertPem).seed(demoScope, site);
      print(
        `Seeded the simulator with ${site.vms.length} VMs of ${site.vcenter} (site ${site.vmwareSiteName}) from ${options.workspace}`,
      );
    } catch (error) {
      await stack.stop();
      throw error;
    }
  }
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
