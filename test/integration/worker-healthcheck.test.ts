/**
 * The compose file's worker healthcheck (workers/healthcheck.ts) against a real worker: healthy while a
 * worker on this host polls the workflow task queue, unhealthy for a queue nobody polls.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../cli/stack/temporal-cli.ts';
import type { RunningWorkers } from '../../workers/run.ts';
import { startHarness, startInProcessWorkers, type Harness } from './harness.ts';

function healthcheck(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'workers/healthcheck.ts')], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

describe('worker healthcheck', () => {
  let harness: Harness;
  let workers: RunningWorkers;
  beforeAll(async () => {
    harness = await startHarness('healthcheck', { speed: 600 });
    workers = await startInProcessWorkers(harness);
  });
  afterAll(async () => {
    await workers?.shutdown();
    await harness?.close();
  });

  it('is healthy while this host polls the workflow task queue, and not for a queue nobody polls', async () => {
    const healthy = await healthcheck(harness.workerEnv);
    expect(healthy.output).toBe('');
    expect(healthy.code).toBe(0);
    const idle = await healthcheck({ ...harness.workerEnv, FACTORY_TASK_QUEUE: `${harness.taskQueue}-idle` });
    expect(idle.code).toBe(1);
    expect(idle.output).toMatch(/no worker of .+ polls the workflow task queue/);
  });
});
