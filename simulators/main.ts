/**
 * Runs the simulator in the foreground:
 *   npx tsx simulators/main.ts --port 8443 --state-dir .data/simulator --speed 600
 */
import { demoSecretNames, seedDemoCodecKey, seedDemoSecrets } from './demo-secrets.ts';
import { parseArgs } from 'node:util';
import { demoScope, demoSite } from '../domain/demo.ts';
import { SimulatorAdmin } from './admin-client.ts';
import { startSimulator } from './index.ts';

const usage = `Usage: tsx simulators/main.ts [options]
  --host <address>      interface to listen on (default 127.0.0.1)
  --port <n>            port (default 8443; 0 = random)
  --state-dir <dir>     certificates and snapshot (default .data/simulator)
  --speed <n>           simulated seconds per real second (default 600)
  --seed <n>            seed for ids and fault injection (default 1)
  --no-persist          keep state in memory only
  --no-throttling       disable ARM token-bucket throttling
  --hostname <name>     extra DNS name for the server certificate (repeatable), e.g. simulator
  --seed-demo           seed the demo vault, VMware site and VMs (domain/demo.ts) at start
  --help`;

function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) {
    console.error(`--${name} must be a number, got '${value}'\n\n${usage}`);
    process.exit(2);
  }
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'state-dir': { type: 'string' },
      speed: { type: 'string' },
      seed: { type: 'string' },
      'no-persist': { type: 'boolean' },
      'no-throttling': { type: 'boolean' },
      hostname: { type: 'string', multiple: true },
      'seed-demo': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = numberOption(values.port, 'port', 8443);
  let simulator;
  try {
    simulator = await startSimulator({
      ...(values.host === undefined ? {} : { host: values.host }),
      port,
      stateDir: values['state-dir'] ?? '.data/simulator',
      speed: numberOption(values.speed, 'speed', 600),
      seed: numberOption(values.seed, 'seed', 1),
      persist: !values['no-persist'],
      ...(values['no-throttling'] ? { throttling: false as const } : {}),
      hostnames: values.hostname ?? [],
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(
        `Port ${port} is already in use. Stop the other process or pass --port <free port> (0 = random).`,
      );
      process.exit(1);
    }
    throw error;
  }
  if (values['seed-demo']) {
    const admin = new SimulatorAdmin(simulator.endpoint, simulator.caCertPem);
    const seeded = await admin.seed(demoScope, demoSite());
    console.log(
      `Seeded the demo: vault ${demoScope.vaultName}, fabric ${seeded.fabricName}, ${seeded.added.vms} new VMs`,
    );
    // Fresh random values each start; the workers' references name the latest version.
    const secrets = await seedDemoSecrets(admin);
    console.log(`Seeded Key Vault secrets ${Object.values(demoSecretNames).join(', ')}; worker settings:`);
    for (const [name, value] of Object.entries(secrets.workerEnv)) console.log(`  ${name}=${value}`);
    // Created once and kept across starts: histories written with it must stay readable.
    const codec = await seedDemoCodecKey(admin);
    console.log('Payload codec key in Key Vault (kept across starts); settings for every factory process:');
    for (const [name, value] of Object.entries(codec)) console.log(`  ${name}=${value}`);
  }
  console.log(`Migration Factory simulator listening on ${simulator.endpoint}`);
  console.log(`  CA certificate: ${simulator.caCertPath}`);
  console.log(`  Trust it in Node clients: export NODE_EXTRA_CA_CERTS=${simulator.caCertPath}`);
  console.log(`  (or pass tlsOptions: { ca } to the Azure SDK client; see docs/simulator.md)`);
  console.log(`  Health: ${simulator.endpoint}/health    Admin API: ${simulator.endpoint}/admin/state`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: saving state and stopping…`);
    simulator
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
