/**
 * One Temporal server, one Azurite (the artifact store; each test file uses its own container) and one
 * workflow bundle for the whole test run; test files reach them through inject(). The server is the dev
 * server (in memory, free port), or with FACTORY_TEST_ENGINE=cluster the PostgreSQL cluster with mutual TLS
 * (cli/stack/cluster.ts), which test files reach through the client variables in `temporalClientEnv`.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startAzurite } from '../cli/stack/azurite.ts';
import { startCluster } from '../cli/stack/cluster.ts';
import { startDevServer } from '../cli/stack/dev-server.ts';
import { freePort } from '../cli/stack/ports.ts';
import { bundleWorkflows } from '../workers/bundle.ts';
import { ensureCodecKeyFile } from '../workers/codec-keys.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /** TEMPORAL_* variables a client connects with (address only for the dev server). */
    temporalClientEnv: Record<string, string>;
    artifactsConnectionString: string;
    workflowBundlePath: string;
    /** One payload key for the run, as one deployment has: every test's clients read every other's workflows. */
    codecKeyFile: string;
  }
}

const testEngines = ['dev', 'cluster'] as const;

async function startTestTemporal(dir: string) {
  const engine = process.env.FACTORY_TEST_ENGINE || 'dev';
  if (!testEngines.includes(engine as (typeof testEngines)[number]))
    throw new Error(`FACTORY_TEST_ENGINE=${engine}: expected one of ${testEngines.join(', ')}`);
  const log = (line: string) => console.log(line);
  if (engine === 'cluster') {
    // PostgreSQL runs as an unprivileged user, which must be able to enter the folder.
    chmodSync(dir, 0o711);
    const cluster = await startCluster({ dir: join(dir, 'cluster'), frontendPort: await freePort(), log });
    return { address: cluster.address, clientEnv: cluster.clientEnv, stop: () => cluster.stop() };
  }
  const server = await startDevServer({ port: await freePort(), log });
  return {
    address: server.address,
    clientEnv: { TEMPORAL_ADDRESS: server.address },
    stop: () => server.stop(),
  };
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'migration-factory-test-'));
  const [server, azurite, bundle] = await Promise.all([
    startTestTemporal(dir),
    freePort().then((port) => startAzurite({ port })),
    bundleWorkflows(),
  ]);
  const workflowBundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);
  project.provide('temporalAddress', server.address);
  project.provide('temporalClientEnv', server.clientEnv);
  project.provide('artifactsConnectionString', azurite.connectionString);
  project.provide('workflowBundlePath', workflowBundlePath);
  const codecKeyFile = join(dir, 'codec-keys.json');
  ensureCodecKeyFile(codecKeyFile);
  project.provide('codecKeyFile', codecKeyFile);
  return async () => {
    await Promise.all([server.stop(), azurite.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
}
