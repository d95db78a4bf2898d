/**
 * The assess benchmark body (bench/assess.ts is the entry point). Lives here so the type checker and
 * linter cover it. Generation is timed apart: the target is for import + assess.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runAssess } from './assess-command.ts';
import { runGenerate } from './generate-command.ts';
import { runImport } from './import-command.ts';

const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

export async function runBenchmark(options: {
  vms: number;
  seed: number;
  dir: string;
  print: (line: string) => void;
}) {
  const { vms, seed, dir, print } = options;
  const inputs = join(dir, 'inputs');
  const workspace = join(dir, 'workspace');
  const scale = vms / 10_000;
  let t = performance.now();
  await runGenerate({
    vms,
    seed,
    databases: Math.round(8500 * scale),
    applications: Math.round(3000 * scale),
    connections: Math.round(50_000 * scale),
    out: inputs,
    print: () => undefined,
  });
  const generateSeconds = (performance.now() - t) / 1000;

  const start = performance.now();
  t = start;
  const imported = await runImport({ paths: [inputs], workspace, print: () => undefined });
  if (!imported.ok)
    throw new Error(`benchmark import failed: ${imported.errors[0]?.rule ?? 'unknown error'}`);
  const importSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const assessment = await runAssess({ workspace, asOf: '2025-11-28', print: () => undefined });
  const assessSeconds = (performance.now() - t) / 1000;
  const totalSeconds = (performance.now() - start) / 1000;

  const c = imported.counts ?? {};
  print(
    `estate: ${c.servers} VMs, ${c.databases} databases, ${c.applications} catalogued applications, ${Math.round(50_000 * scale)} dependency rows (${c.connections} distinct connections)`,
  );
  print(`generate: ${generateSeconds.toFixed(2)} s (not counted)`);
  print(`import:   ${importSeconds.toFixed(2)} s`);
  print(
    `assess:   ${assessSeconds.toFixed(2)} s (${assessment.totals.applications} applications incl. inferred)`,
  );
  print(`wall time import + assess: ${totalSeconds.toFixed(2)} s (target < 20 s)`);
  print(`peak RSS: ${peakRssMiB()} MiB (target < 1536 MiB)`);
  return { importSeconds, assessSeconds, totalSeconds, peakRssMiB: peakRssMiB() };
}
