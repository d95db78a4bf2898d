/**
 * The one way a wave's workflow input is built: from the pinned artifacts (plan, estate, assessment), the
 * wave's id, the resolved settings profile and the operator's choices. The CLI, the demo, the bench and the
 * tests all call it; pure, so what it refuses is refused before anything starts.
 */
import { defaultVmwareSiteName } from '../domain/demo.ts';
import type { Estate } from '../domain/inventory/estate-schema.ts';
import type { AssessmentInput } from '../domain/plan/assessment-input.ts';
import { batchSpecsFromPlan, type MigrationScope } from '../domain/plan/batch-specs.ts';
import { databaseSpecsFromPlan } from '../domain/plan/database-specs.ts';
import type { Plan } from '../domain/plan/plan-schema.ts';
import { validatePlan } from '../domain/plan/validate-plan.ts';
import { WaveSettingsError, type WaveSettings } from './wave-settings.ts';
import type { ArtifactPins, WaveWorkflowInput } from './workflow-inputs.ts';

export interface WaveArtifacts {
  plan: Plan;
  estate: Estate;
  assessment: AssessmentInput;
  /** Content hashes of the three, as published to the artifact store. */
  pins: ArtifactPins;
}

/** What the operator decides when starting a wave (not where it runs). */
export interface WaveRunChoices {
  maxConcurrentBatches: number;
  requireApproval: boolean;
  requireValidationSignOff: boolean;
  /** `plan-windows`: cut over inside each batch's planned window; `when-ready`: once validated. */
  cutover: 'plan-windows' | 'when-ready';
}

/** The plan cannot be run as it is (a broken rule, a wave that is not there, inputs it was not made from). */
export class WaveRefusedError extends Error {
  constructor(
    message: string,
    readonly reason: 'unknown-wave' | 'invalid-plan',
    readonly details: string[] = [],
  ) {
    super(details.length > 0 ? `${message}\n${details.map((d) => `  ${d}`).join('\n')}` : message);
    this.name = 'WaveRefusedError';
  }
}

/** Waves in the plan that have databases (their migration services are then required settings). */
export const waveHasDatabases = (plan: Plan, waveId: string) =>
  (plan.waves.find((w) => w.id === waveId)?.databases.length ?? 0) > 0;

export function assembleWaveInput(
  artifacts: WaveArtifacts,
  waveId: string,
  settings: WaveSettings,
  run: WaveRunChoices,
): WaveWorkflowInput {
  const { plan, estate, pins } = artifacts;
  const wave = plan.waves.find((w) => w.id === waveId);
  if (!wave) throw new WaveRefusedError(`The plan has no wave ${waveId}.`, 'unknown-wave');

  const planErrors = validatePlan(plan).map((e) => `[${e.rule}] ${e.message}`);
  if (plan.inputs.estateSha256 !== undefined && plan.inputs.estateSha256 !== pins.estate)
    planErrors.push(
      `[inputs] the plan was made from estate ${plan.inputs.estateSha256.slice(0, 12)}, not the workspace's ${pins.estate.slice(0, 12)}: re-run factory plan`,
    );
  if (plan.inputs.assessmentSha256 !== undefined && plan.inputs.assessmentSha256 !== pins.assessment)
    planErrors.push(
      `[inputs] the plan was made from assessment ${plan.inputs.assessmentSha256.slice(0, 12)}, not the workspace's ${pins.assessment.slice(0, 12)}: re-run factory plan`,
    );
  if (planErrors.length > 0)
    throw new WaveRefusedError(
      `The plan is not valid; wave ${waveId} was not started.`,
      'invalid-plan',
      planErrors,
    );

  const scope = migrationScope(plan, waveId, settings);
  const databases = wave.databases.length > 0 ? settings.databases : undefined;
  if (wave.databases.length > 0 && databases === undefined)
    throw new WaveSettingsError([
      {
        setting: 'sqlMigrationServiceId',
        problem: `wave ${waveId} has databases: its migration services are required`,
      },
    ]);

  // The workflows derive the same specs from the same artifacts: what cannot be derived is refused now.
  try {
    batchSpecsFromPlan(plan, waveId, scope);
    if (databases) databaseSpecsFromPlan(plan, estate.databases, waveId, databases.targets);
  } catch (error) {
    throw new WaveRefusedError(`Wave ${waveId} cannot be run from this plan.`, 'invalid-plan', [
      error instanceof Error ? error.message : String(error),
    ]);
  }

  return {
    waveId,
    source: { kind: 'plan', plan: { artifacts: pins, scope } },
    target: settings.target,
    location: settings.location,
    batchSettings: {
      ...settings.timings.batch,
      azureTaskQueue: settings.taskQueues.azure,
      requireValidationSignOff: run.requireValidationSignOff,
    },
    maxConcurrentBatches: run.maxConcurrentBatches,
    requireApproval: run.requireApproval,
    cutover: run.cutover,
    ...(databases
      ? {
          databases: {
            services: databases.services,
            settings: { ...settings.timings.database, azureTaskQueue: settings.taskQueues.azure },
            targets: databases.targets,
          },
        }
      : {}),
  };
}

/**
 * The Azure Migrate project and the VMware site of each of the wave's vCenters. The simulator profile
 * names unlisted vCenters' sites by its convention; the azure profile requires each one.
 */
function migrationScope(plan: Plan, waveId: string, settings: WaveSettings): MigrationScope {
  const wave = plan.waves.find((w) => w.id === waveId);
  const inWave = new Set(
    wave?.batches.flatMap((b) => b.bootGroups.flatMap((g) => g.servers)) ?? ([] as string[]),
  );
  const vcenters = [
    ...new Set(plan.servers.flatMap((s) => (inWave.has(s.id) && s.vcenter ? [s.vcenter] : []))),
  ].sort();
  const vmwareSites: Record<string, string> = {};
  const missing: string[] = [];
  for (const vcenter of vcenters) {
    const site =
      settings.vmwareSites[vcenter] ??
      settings.vmwareSites['*'] ??
      (settings.profile === 'simulator' ? defaultVmwareSiteName(vcenter) : undefined);
    if (site === undefined) missing.push(vcenter);
    else vmwareSites[vcenter] = site;
  }
  if (missing.length > 0)
    throw new WaveSettingsError([
      {
        setting: 'vmwareSites',
        problem: `no Azure Migrate VMware site for vCenter ${missing.join(', ')} (vcenter=site, or one site name for all)`,
      },
    ]);
  return { subscriptionId: settings.subscriptionId, resourceGroup: settings.resourceGroup, vmwareSites };
}
