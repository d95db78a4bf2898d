/**
 * Benchmark: generate the Contoso-scale estate (10,000 VMs, 8,500 databases, 3,000 applications,
 * ~50,000 dependency rows), then time `factory import` and `factory assess` end to end and report
 * wall time and peak resident memory. Target on a 2-core machine: < 20 s and < 1.5 GB.
 *
 *   npm run bench:assess [-- --vms 10000 --seed 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBenchmark } from '../cli/assess/benchmark.ts';

const { values } = parseArgs({
  options: { vms: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' } },
});
const dir = mkdtempSync(join(tmpdir(), 'factory-bench-'));
try {
  await runBenchmark({
    vms: Number(values.vms),
    seed: Number(values.seed),
    dir,
    print: (line) => console.log(line),
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
