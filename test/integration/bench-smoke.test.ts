/**
 * Smoke runs of `npm run bench` and `npm run chaos` at 100 VMs: every VM and database ends in a terminal
 * state and the invariant report is clean. Performance figures are printed by the tools, not asserted.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../cli/stack/temporal-cli.ts';
import type { BenchReport } from '../../bench/harness.ts';

const terminal = ['migrated', 'rolled-back', 'deferred', 'failed-needs-attention'];

function run(
  script: string,
  args: string[],
): Promise<{ code: number | null; report: BenchReport; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'bench', script), ...args], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
    child.once('error', reject);
    child.once('exit', (code) => {
      try {
        resolve({ code, report: JSON.parse(stdout) as BenchReport, log: stderr });
      } catch {
        reject(new Error(`${script} printed no JSON report (exit ${code}):\n${stderr}\n${stdout}`));
      }
    });
  });
}

const smoke = [
  '--vms',
  '100',
  '--json',
  '--speed',
  '6000',
  '--wave-concurrency',
  '5',
  '--arm-budget-scale',
  '4',
];

function expectCleanReport(report: BenchReport) {
  expect(report.invariants.violations).toEqual([]);
  const vms = Object.entries(report.outcomes.vms);
  expect(vms.every(([outcome]) => terminal.includes(outcome))).toBe(true);
  expect(vms.reduce((sum, [, n]) => sum + n, 0)).toBe(report.plan.vms);
  const dbs = Object.entries(report.outcomes.databases);
  expect(dbs.every(([outcome]) => terminal.includes(outcome))).toBe(true);
  expect(dbs.reduce((sum, [, n]) => sum + n, 0)).toBe(report.plan.databases);
}

describe('benchmark and chaos smoke runs (100 VMs)', () => {
  it('bench: the whole program migrates with a clean invariant report', { timeout: 240_000 }, async () => {
    const { code, report, log } = await run('program.ts', smoke);
    expect(report.invariants.violations, log).toEqual([]);
    expectCleanReport(report);
    expect(code).toBe(0);
  });

  it('chaos: faults, kills and restarts lose and duplicate nothing', { timeout: 600_000 }, async () => {
    const { code, report, log } = await run('chaos.ts', [...smoke, '--kills', '5']);
    expect(report.invariants.violations, log).toEqual([]);
    expectCleanReport(report);
    expect(report.chaos?.kills).toBe(5);
    expect(report.chaos?.temporalRestarted).toBe(true);
    expect(report.chaos?.simulatorRestarted).toBe(true);
    expect(code).toBe(0);
  });
});
