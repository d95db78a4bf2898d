/**
 * Starting a wave: the one road from a planned workspace to a running wave, for `factory wave start`, the
 * demo, the bench and the tests. The workspace's estate, assessment and plan are checked and published to
 * the artifact store, the settings profile is resolved, `assembleWaveInput` builds the input, and the wave
 * starts pinned to the three artifacts' hashes.
 */
import type { Client } from '@temporalio/client';
import {
  assembleWaveInput,
  waveHasDatabases,
  WaveRefusedError,
  type WaveArtifacts,
  type WaveRunChoices,
} from '../../contracts/assemble-wave-input.ts';
import { waveWorkflowId } from '../../contracts/ids.ts';
import type { OperatorAction } from '../../contracts/messages.ts';
import { waveIdKey } from '../../contracts/search-attributes.ts';
import {
  resolveWaveSettings,
  settingsProfiles,
  WaveSettingsError,
  waveSettingSources,
  type GivenSettings,
  type SettingsProfile,
  type WaveSettings,
  type WaveTimings,
} from '../../contracts/wave-settings.ts';
import type { WaveWorkflowInput } from '../../contracts/workflow-inputs.ts';
import {
  artifactStoreMissing,
  clientArtifactStore,
  loadWorkspaceArtifacts,
  publishWorkspaceArtifacts,
} from '../../workspace/artifact-store.ts';
import { StaleWorkspaceError } from '../../workspace/chain.ts';
import { notificationsConfigured } from '../../workers/config.ts';
import { migrationWave } from '../../workflows/wave.ts';
import { withTemporal, type ConnectionFlags } from './connection.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import { suggestion } from './levenshtein.ts';
import { operatorAction, type ActorFlags } from './operator-action.ts';
import { resolveWorkspace } from './workspace-folder.ts';
import { actingThroughServer } from './wave-actions.ts';

/** Where a wave runs: the settings flags `wave start` and `preflight` share. */
export interface WaveSettingFlags {
  workspace?: string;
  profile?: string;
  subscription?: string;
  resourceGroup?: string;
  location?: string;
  /** "vcenter=site" pairs, or one site name for every vCenter. */
  vmwareSite?: string[];
  targetResourceGroup?: string;
  targetNetwork?: string;
  targetSubnet?: string;
  testNetwork?: string;
  cacheStorageAccount?: string;
  runAsAccount?: string;
  sqlMigrationService?: string;
  dmsService?: string;
  dmsSubnet?: string;
  dmsSku?: string;
  databaseTargetResourceGroup?: string;
}

export interface WaveStartFlags extends WaveSettingFlags, ConnectionFlags, ActorFlags {
  maxConcurrentBatches: number;
  requireApproval: boolean;
  signOff?: boolean;
  cutoverWhenReady?: boolean;
}

/** The profile from `--profile`, else $FACTORY_PROFILE, else `azure` (which assumes nothing). */
export function settingsProfile(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SettingsProfile {
  const value = (flag ?? env.FACTORY_PROFILE ?? 'azure').trim();
  if (!(settingsProfiles as readonly string[]).includes(value))
    throw new CliError(
      `${flag === undefined ? `$${waveSettingSources.profile.env}` : '--profile'} ${value}: expected ${settingsProfiles.join(' or ')}`,
      ExitCode.usage,
    );
  return value as SettingsProfile;
}

/** The settings flags of `wave start` (and `preflight`) as given settings. */
export const givenSettings = (flags: WaveSettingFlags): GivenSettings => {
  const given: GivenSettings = {
    subscriptionId: flags.subscription,
    resourceGroup: flags.resourceGroup,
    location: flags.location,
    vmwareSites: flags.vmwareSite?.join(','),
    targetResourceGroupId: flags.targetResourceGroup,
    targetNetworkId: flags.targetNetwork,
    targetSubnet: flags.targetSubnet,
    testNetworkId: flags.testNetwork,
    cacheStorageAccountId: flags.cacheStorageAccount,
    runAsAccountId: flags.runAsAccount,
    sqlMigrationServiceId: flags.sqlMigrationService,
    dmsServiceId: flags.dmsService,
    dmsSubnetId: flags.dmsSubnet,
    dmsSku: flags.dmsSku,
    databaseTargetResourceGroupId: flags.databaseTargetResourceGroup,
  };
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
};

export interface PreparedWave {
  input: WaveWorkflowInput;
  /** The workflow task queue the workers poll. */
  taskQueue: string;
  vmCount: number;
  batchCount: number;
  databaseCount: number;
  /** Artifacts this start published (the others were already in the store). */
  published: string[];
}

export interface WaveOptions {
  workspace: string;
  waveId: string;
  profile: SettingsProfile;
  given?: GivenSettings;
  env?: NodeJS.ProcessEnv;
  run: WaveRunChoices;
  /** The bench's compressed calendar; a choice of settings, not of inputs. */
  timings?: { batch?: Partial<WaveTimings['batch']>; database?: Partial<WaveTimings['database']> };
}

export interface ResolvedWave {
  artifacts: WaveArtifacts;
  settings: WaveSettings;
  input: WaveWorkflowInput;
}

/**
 * Loads a workspace's artifacts, resolves the settings profile and builds a wave's input, publishing
 * nothing (`factory preflight` stops here). Refusals are CliErrors with the exit code scripts rely on: 3
 * for a missing workspace file or wave, 2 for missing settings, 4 for a plan that cannot run.
 */
export async function resolveWave(options: WaveOptions): Promise<ResolvedWave> {
  const { workspace, waveId, profile, env = process.env } = options;
  const artifacts = await loadWorkspaceArtifacts(workspace).catch((error: unknown) => {
    // A stale file is there but out of date (exit 4, naming the command); anything else is missing.
    if (error instanceof StaleWorkspaceError) throw error;
    throw new CliError(error instanceof Error ? error.message : String(error), ExitCode.notFound);
  });
  const wave = artifacts.plan.waves.find((w) => w.id === waveId);
  if (!wave) {
    const ids = artifacts.plan.waves.map((w) => w.id);
    throw new CliError(
      `The plan in ${workspace} has no wave ${waveId}. ${suggestion(waveId, ids, 'waves')}`,
      ExitCode.notFound,
    );
  }
  let input: WaveWorkflowInput;
  let settings: WaveSettings;
  try {
    settings = resolveWaveSettings({
      profile,
      given: options.given ?? {},
      env,
      databases: waveHasDatabases(artifacts.plan, waveId),
      ...(options.timings ? { timings: options.timings } : {}),
    });
    input = {
      ...assembleWaveInput(artifacts, waveId, settings, options.run),
      // The same channel settings the workers read: without one, the wave raises no notifications.
      notifications: notificationsConfigured(env),
    };
  } catch (error) {
    if (error instanceof WaveSettingsError)
      throw new CliError(`${error.message}\n(profile ${profile}; nothing was started)`, ExitCode.usage);
    if (error instanceof WaveRefusedError)
      throw new CliError(
        `${error.message}\nSee \`factory plan validate --workspace ${workspace}\`.`,
        error.reason === 'unknown-wave' ? ExitCode.notFound : ExitCode.refused,
      );
    throw error;
  }
  return { artifacts, settings, input };
}

/**
 * Checks and publishes a workspace's artifacts and builds a wave's input (see `resolveWave`). Nothing is
 * started, and nothing is published unless the wave can start.
 */
export async function prepareWave(options: WaveOptions): Promise<PreparedWave> {
  const { profile, env = process.env } = options;
  const { artifacts, settings, input } = await resolveWave(options);
  const wave = artifacts.plan.waves.find((w) => w.id === options.waveId)!;
  const taskQueue = settings.taskQueues.workflows;
  const store = clientArtifactStore(profile, env);
  if (!store) throw new CliError(artifactStoreMissing, ExitCode.usage);
  const { pins, created } = await publishWorkspaceArtifacts(store, artifacts);
  if (input.source.kind !== 'plan' || JSON.stringify(pins) !== JSON.stringify(input.source.plan.artifacts))
    throw new Error('the published artifacts do not hash to the pins the wave was assembled with');
  return {
    input,
    taskQueue,
    vmCount: wave.batches.reduce((sum, b) => sum + b.bootGroups.reduce((s, g) => s + g.servers.length, 0), 0),
    batchCount: wave.batches.length,
    databaseCount: wave.databases.length,
    published: created,
  };
}

/** Starts a prepared wave with who started it and why in its memo (the audit trail's first entry). */
export async function startWaveWorkflow(
  client: Client,
  input: WaveWorkflowInput,
  action: OperatorAction,
  taskQueue: string,
) {
  const workflowId = waveWorkflowId(input.waveId);
  try {
    return await client.workflow.start(migrationWave, {
      taskQueue,
      workflowId,
      args: [input],
      memo: {
        startedBy: action.by,
        reason: action.reason,
        ...(action.ticket ? { ticket: action.ticket } : {}),
      },
      typedSearchAttributes: [{ key: waveIdKey, value: input.waveId }],
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError')
      throw new CliError(
        `Wave ${input.waveId} is already running (workflow ${workflowId}); see \`factory wave status ${input.waveId}\`.`,
        ExitCode.refused,
      );
    throw error;
  }
}

export async function runWaveStart(waveId: string, flags: WaveStartFlags, print: (line: string) => void) {
  const through = actingThroughServer(flags);
  if (through) {
    // The server starts waves from its own workspace and settings (its environment), signed by it.
    const given = Object.keys(givenSettings(flags));
    if (given.length > 0)
      throw new CliError(
        `the factory server (${through.server.url}) starts waves with its own Azure settings; leave out ${given.join(', ')} (set them in the server's environment)`,
        ExitCode.usage,
      );
    const answer = await through.server.waveAction(waveId, 'start', {
      ...through.intent,
      ...(flags.profile ? { profile: flags.profile } : {}),
      maxConcurrentBatches: flags.maxConcurrentBatches,
      requireApproval: flags.requireApproval,
      signOff: flags.signOff === true,
      cutoverWhenReady: flags.cutoverWhenReady === true,
    });
    print(answer.message);
    if (answer.workflowId) print(`  workflow ${answer.workflowId}`);
    print(nextStep(waveId, flags.requireApproval));
    return;
  }
  const action = operatorAction(flags);
  const workspace = resolveWorkspace(flags.workspace);
  const profile = settingsProfile(flags.profile);
  const prepared = await prepareWave({
    workspace,
    waveId,
    profile,
    given: givenSettings(flags),
    run: {
      maxConcurrentBatches: flags.maxConcurrentBatches,
      requireApproval: flags.requireApproval,
      requireValidationSignOff: flags.signOff === true,
      cutover: flags.cutoverWhenReady ? 'when-ready' : 'plan-windows',
    },
  });
  const { input } = prepared;
  const pins = input.source.kind === 'plan' ? input.source.plan.artifacts : undefined;
  await withTemporal(flags, async (temporal) => {
    const handle = await startWaveWorkflow(temporal.client, input, action, prepared.taskQueue);
    print(
      `Started wave ${waveId}: ${prepared.vmCount} VMs in ${prepared.batchCount} batch(es), ${prepared.databaseCount} database(s); profile ${profile}.`,
    );
    if (pins)
      print(
        `  pinned: plan ${pins.plan.slice(0, 12)}, estate ${pins.estate.slice(0, 12)}, assessment ${pins.assessment.slice(0, 12)} (from ${workspace})`,
      );
    print(`  workflow ${handle.workflowId}  ${temporal.workflowUrl(handle.workflowId)}`);
    print(nextStep(waveId, flags.requireApproval));
  });
}

const nextStep = (waveId: string, requireApproval: boolean) =>
  requireApproval
    ? `  Next: factory wave approve ${waveId} --reason "…" (the wave waits for an approval)`
    : `  Next: factory wave status ${waveId} --watch`;
