/**
 * One Temporal dev server (in memory, free port), one Azurite (the artifact store; each test file uses its
 * own container) and one workflow bundle for the whole test run; test files reach them through inject().
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startAzurite } from '../cli/stack/azurite.ts';
import { startDevServer } from '../cli/stack/dev-server.ts';
import { freePort } from '../cli/stack/ports.ts';
import { bundleWorkflows } from '../workers/bundle.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    artifactsConnectionString: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'migration-factory-test-'));
  const [server, azurite, bundle] = await Promise.all([
    freePort().then((port) => startDevServer({ port, log: (line) => console.log(line) })),
    freePort().then((port) => startAzurite({ port })),
    bundleWorkflows(),
  ]);
  const workflowBundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);
  project.provide('temporalAddress', server.address);
  project.provide('artifactsConnectionString', azurite.connectionString);
  project.provide('workflowBundlePath', workflowBundlePath);
  return async () => {
    await Promise.all([server.stop(), azurite.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
}
