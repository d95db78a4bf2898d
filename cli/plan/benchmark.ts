/**
 * The plan benchmark body (bench/plan.ts is the entry point): generate, import and assess the
 * Contoso-scale estate with the assess benchmark, then time `factory plan` alone.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runBenchmark } from '../assess/benchmark.ts';
import { runPlan } from './plan-command.ts';
import { renderPlanReport } from './plan-report-html.ts';
import { planSha256 } from '../../workspace/plan-files.ts';

const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

export async function runPlanBenchmark(options: {
  vms: number;
  seed: number;
  dir: string;
  print: (line: string) => void;
}) {
  await runBenchmark({ ...options, print: (line) => options.print(`  ${line}`) });
  const rssBefore = peakRssMiB();
  const t = performance.now();
  const plan = await runPlan({
    workspace: join(options.dir, 'workspace'),
    start: '2026-01-05',
    print: () => undefined,
  });
  const seconds = (performance.now() - t) / 1000;
  const s = plan.summary;
  const ratio = s.makespanDays / s.lowerBoundDays;
  options.print(
    `plan: ${s.waves} waves, ${s.batches} batches, ${s.vms} VMs, ${s.databases} databases, ${s.usedTB} TB`,
  );
  options.print(`PLAN wall time: ${seconds.toFixed(2)} s (target < 10 s)`);
  options.print(`peak RSS: ${peakRssMiB()} MiB (before plan: ${rssBefore} MiB)`);
  options.print(
    `makespan: ${s.makespanDays} days; lower bound: ${s.lowerBoundDays} days (${s.lowerBoundBinding})`,
  );
  options.print(`makespan / lower bound: ${ratio.toFixed(3)} (target ≤ 1.15)`);
  // The report is rendered inside `plan` too; timed alone here because its charts are the costly part.
  const r = performance.now();
  const report = renderPlanReport(plan, planSha256(plan));
  options.print(
    `report: ${((performance.now() - r) / 1000).toFixed(2)} s, ${(Buffer.byteLength(report) / 1024).toFixed(0)} KiB, ${(report.match(/<svg /g) ?? []).length} charts`,
  );
  return { seconds, ratio };
}
