/**
 * `factory preflight <wave>`: whether Azure is ready for a wave, read-only. It resolves the wave as
 * `factory wave start` does (the workspace's artifacts, the settings profile, `assembleWaveInput`) without
 * publishing or starting anything, then runs the checks the wave's gate runs (`activities/preflight.ts`)
 * with the worker's Azure settings and credential (AZURE_* variables; the simulator profile fills them).
 * One line per check; exit 4 when any check fails.
 */
import { checkWave } from '../../activities/preflight.ts';
import { batchSpecsFromPlan } from '../../domain/plan/batch-specs.ts';
import { databaseSpecsFromPlan } from '../../domain/plan/database-specs.ts';
import { formatCheck, preflightNeeds, type PreflightReport } from '../../domain/preflight/checks.ts';
import { preflightDeps } from '../../workers/azure.ts';
import { loadWorkerConfig } from '../../workers/config.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import { givenSettings, resolveWave, settingsProfile, type WaveSettingFlags } from './wave-start.ts';
import { resolveWorkspace } from './workspace-folder.ts';

export interface PreflightFlags extends WaveSettingFlags {
  json?: boolean;
}

export async function runPreflight(
  waveId: string,
  flags: PreflightFlags,
  print: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PreflightReport> {
  const workspace = resolveWorkspace(flags.workspace);
  const profile = settingsProfile(flags.profile, env);
  const { artifacts, settings, input } = await resolveWave({
    workspace,
    waveId,
    profile,
    given: givenSettings(flags),
    env,
    run: {
      maxConcurrentBatches: 1,
      requireApproval: true,
      requireValidationSignOff: false,
      cutover: 'plan-windows',
    },
  });
  if (input.source.kind !== 'plan') throw new Error('a workspace wave is always built from its plan');
  const batches = batchSpecsFromPlan(artifacts.plan, waveId, input.source.plan.scope).map((b) => b.spec);
  const databases = settings.databases
    ? databaseSpecsFromPlan(artifacts.plan, artifacts.estate.databases, waveId, settings.databases.targets)
    : undefined;
  let config;
  try {
    config = loadWorkerConfig({ ...env, FACTORY_PROFILE: profile });
  } catch (error) {
    throw new CliError(
      `${error instanceof Error ? error.message : String(error)}\n(preflight reads Azure with the workers' settings and credential)`,
      ExitCode.usage,
    );
  }
  const report = await checkWave(
    preflightDeps(config),
    preflightNeeds({
      waveId,
      batches,
      target: settings.target,
      location: settings.location,
      ...(settings.target.runAsAccountId ? { runAsAccountId: settings.target.runAsAccountId } : {}),
      ...(settings.databases && databases
        ? {
            databases: {
              sqlMigrationServiceId: settings.databases.services.sqlMigrationServiceId,
              classicServiceId: settings.databases.services.classic.serviceId,
              specs: databases.databases.map((d) => d.spec),
            },
          }
        : {}),
    }),
  );
  const failed = report.checks.filter((c) => !c.ok);
  if (flags.json) print(JSON.stringify({ ...report, ok: failed.length === 0 }, null, 2));
  else {
    print(
      `Preflight of wave ${waveId} (${batches.reduce((n, b) => n + b.vms.length, 0)} VMs; profile ${profile}):`,
    );
    for (const check of report.checks) print(`  ${formatCheck(check)}`);
    print(
      failed.length === 0
        ? `All ${report.checks.length} checks pass.`
        : `${failed.length} check(s) fail: ${failed.map((c) => c.name).join(', ')}. Fix them, or waive one at the gate: factory wave approve ${waveId} --waive-check <check>="why" --reason "…"`,
    );
  }
  if (failed.length > 0) process.exitCode = ExitCode.refused;
  return report;
}
