/**
 * Benchmark: generate, import and assess the Contoso-scale estate (10,000 VMs, 8,500 databases, 3,000
 * applications), then plan it; prints the plan step's wall time, peak memory, makespan and lower bound.
 *
 *   npm run bench:plan [-- --vms 10000 --seed 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runPlanBenchmark } from '../cli/plan/benchmark.ts';

const { values } = parseArgs({
  options: { vms: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' } },
});
const dir = mkdtempSync(join(tmpdir(), 'factory-bench-plan-'));
try {
  await runPlanBenchmark({
    vms: Number(values.vms),
    seed: Number(values.seed),
    dir,
    print: (line) => console.log(line),
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
