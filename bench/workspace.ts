/**
 * The program the benchmarks migrate: a generated estate, imported, assessed and planned with the CLI's
 * own code (the assess benchmark body and `factory plan`). The simulator is seeded from the same workspace
 * (`seedSimulatorFromWorkspace`) and the waves start through `prepareWave`, as `factory wave start` does.
 */
import { join } from 'node:path';
import { runBenchmark } from '../cli/assess/benchmark.ts';
import { runPlan } from '../cli/plan/plan-command.ts';
import type { Plan } from '../domain/plan/plan-schema.ts';

export interface PreparedProgram {
  workspace: string;
  plan: Plan;
  prepareSeconds: number;
}

export async function prepareProgram(options: {
  vms: number;
  seed: number;
  dir: string;
  print: (line: string) => void;
}): Promise<PreparedProgram> {
  const started = performance.now();
  await runBenchmark({ ...options, print: (line) => options.print(`  ${line}`) });
  const workspace = join(options.dir, 'workspace');
  const plan = await runPlan({ workspace, start: '2026-01-05', print: () => undefined });
  return { workspace, plan, prepareSeconds: (performance.now() - started) / 1000 };
}
