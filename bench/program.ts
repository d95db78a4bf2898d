/**
 * Benchmark: the whole program — generate, import, assess and plan an estate (default 10,000 VMs and
 * 8,500 databases), then run every wave through cutover, commit and complete migration on a real Temporal
 * (the dev server, or with `--engine cluster` the PostgreSQL cluster with mutual TLS), worker processes and
 * the simulator on a compressed clock. See docs/benchmarks.md.
 *
 *   npm run bench [-- --vms 10000 --json --speed 2000 --workers 2 --wave-concurrency 3 --engine cluster]
 */
import { formatReport, parseBenchArgs, runBench } from './harness.ts';

const { json, config } = parseBenchArgs(process.argv.slice(2), 'bench');
// With --json, standard output carries the report alone: libraries' notices (the local issuer's) go to stderr.
const stdout = console.log;
if (json) console.log = console.info = (...args: unknown[]) => console.error(...args);
const log = json ? (line: string) => console.error(line) : (line: string) => console.log(line);
const report = await runBench({ ...config, log });
if (json) stdout(JSON.stringify(report));
else console.log(`\n${formatReport(report)}`);
process.exitCode = report.invariants.violations.length > 0 ? 1 : 0;
