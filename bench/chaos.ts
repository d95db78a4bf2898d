/**
 * Chaos run: a 1,000-VM program (default) under seeded simulator faults (5 % transient errors, 429 storms,
 * 2 % replication stalls, 1 % test-failover failures, one appliance outage), 24 worker SIGKILLs, one Temporal
 * and one simulator restart, with an explicit auto-operator; ends with an invariant report and exits 1 on
 * any violation. See docs/benchmarks.md.
 *
 *   npm run chaos [-- --vms 1000 --kills 24 --json]
 */
import { formatReport, parseBenchArgs, runBench } from './harness.ts';

const { json, config } = parseBenchArgs(process.argv.slice(2), 'chaos');
const log = json ? (line: string) => console.error(line) : (line: string) => console.log(line);
const report = await runBench({ ...config, log });
if (json) console.log(JSON.stringify(report));
else console.log(`\n${formatReport(report)}`);
process.exitCode = report.invariants.violations.length > 0 ? 1 : 0;
