/** `factory wave start <waveId>`: start a wave from the workspace's plan, pinned by the plan's sha256. */
import { demoBatchSettings } from '../demo.ts';
import { demoScope, demoTarget } from '../../domain/demo.ts';
import type { TargetSettings } from '../../domain/migration.ts';
import type { MigrationScope } from '../../domain/plan/batch-specs.ts';
import type { Plan } from '../../domain/plan/plan-schema.ts';
import { waveIdKey } from '../../contracts/search-attributes.ts';
import { migrationWave } from '../../workflows/wave.ts';
import { loadPlan, planSha256 } from '../../workspace/plan-files.ts';
import { taskQueues, withTemporal, type ConnectionFlags } from './connection.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import { suggestion } from './levenshtein.ts';
import { operatorAction, type ActorFlags } from './operator-action.ts';
import { defaultVmwareSiteName } from './source-site.ts';
import { resolveWorkspace } from './workspace-folder.ts';
import { waveWorkflowId } from '../../contracts/ids.ts';
import { type WaveWorkflowInput } from '../../contracts/workflow-inputs.ts';

export interface WaveStartFlags extends ConnectionFlags, ActorFlags {
  workspace?: string;
  subscription?: string;
  resourceGroup?: string;
  /** "vcenter=site" pairs. */
  vmwareSite?: string[];
  targetResourceGroup?: string;
  targetNetwork?: string;
  targetSubnet?: string;
  testNetwork?: string;
  cacheStorageAccount?: string;
  maxConcurrentBatches: number;
  requireApproval: boolean;
  signOff?: boolean;
  cutoverWhenReady?: boolean;
}

/** Subscription and resource group of Azure Migrate, and the VMware site of each of the plan's vCenters. */
export function migrationScope(plan: Plan, flags: WaveStartFlags, env = process.env): MigrationScope {
  const vmwareSites: Record<string, string> = {};
  for (const vcenter of new Set(plan.servers.flatMap((s) => (s.vcenter ? [s.vcenter] : []))))
    vmwareSites[vcenter] = defaultVmwareSiteName(vcenter);
  for (const pair of flags.vmwareSite ?? []) {
    const [vcenter, site] = pair.split('=');
    if (!vcenter?.trim() || !site?.trim())
      throw new CliError(`--vmware-site ${pair}: expected vcenter=site`, ExitCode.usage);
    vmwareSites[vcenter.trim()] = site.trim();
  }
  return {
    subscriptionId: flags.subscription ?? env.AZURE_SUBSCRIPTION_ID ?? demoScope.subscriptionId,
    resourceGroup: flags.resourceGroup ?? env.AZURE_RESOURCE_GROUP ?? demoScope.resourceGroup,
    vmwareSites,
  };
}

/** Where the VMs land; every field can come from a flag or the environment, else the demo's layout. */
export function targetSettings(
  scope: MigrationScope,
  flags: WaveStartFlags,
  env = process.env,
): TargetSettings {
  const defaults = demoTarget({ ...demoScope, ...scope });
  return {
    resourceGroupId:
      flags.targetResourceGroup ?? env.FACTORY_TARGET_RESOURCE_GROUP_ID ?? defaults.resourceGroupId,
    networkId: flags.targetNetwork ?? env.FACTORY_TARGET_NETWORK_ID ?? defaults.networkId,
    subnetName: flags.targetSubnet ?? env.FACTORY_TARGET_SUBNET ?? defaults.subnetName,
    testNetworkId: flags.testNetwork ?? env.FACTORY_TEST_NETWORK_ID ?? defaults.testNetworkId,
    logStorageAccountId:
      flags.cacheStorageAccount ?? env.FACTORY_CACHE_STORAGE_ACCOUNT_ID ?? defaults.logStorageAccountId,
  };
}

export async function runWaveStart(waveId: string, flags: WaveStartFlags, print: (line: string) => void) {
  const action = operatorAction(flags);
  const workspace = resolveWorkspace(flags.workspace);
  const plan = await loadPlan(workspace).catch((error: unknown) => {
    throw new CliError(error instanceof Error ? error.message : String(error), ExitCode.notFound);
  });
  const wave = plan.waves.find((w) => w.id === waveId);
  if (!wave) {
    const ids = plan.waves.map((w) => w.id);
    throw new CliError(
      `The plan in ${workspace} has no wave ${waveId}. ${suggestion(waveId, ids, 'waves')}`,
      ExitCode.notFound,
    );
  }
  const scope = migrationScope(plan, flags);
  const queues = taskQueues();
  const input: WaveWorkflowInput = {
    waveId,
    source: { kind: 'plan', plan: { workspace, sha256: planSha256(plan), scope } },
    target: targetSettings(scope, flags),
    batchSettings: {
      ...demoBatchSettings,
      azureTaskQueue: queues.azure,
      requireValidationSignOff: flags.signOff === true,
    },
    maxConcurrentBatches: flags.maxConcurrentBatches,
    requireApproval: flags.requireApproval,
    cutover: flags.cutoverWhenReady ? 'when-ready' : 'plan-windows',
  };
  await withTemporal(flags, async (temporal) => {
    const workflowId = waveWorkflowId(waveId);
    try {
      await temporal.client.workflow.start(migrationWave, {
        taskQueue: queues.workflows,
        workflowId,
        args: [input],
        memo: {
          startedBy: action.by,
          reason: action.reason,
          ...(action.ticket ? { ticket: action.ticket } : {}),
        },
        typedSearchAttributes: [{ key: waveIdKey, value: waveId }],
      });
    } catch (error) {
      if (error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError')
        throw new CliError(
          `Wave ${waveId} is already running (workflow ${workflowId}); see \`factory wave status ${waveId}\`.`,
          ExitCode.refused,
        );
      throw error;
    }
    const vms = wave.batches.reduce(
      (sum, b) => sum + b.bootGroups.reduce((s, g) => s + g.servers.length, 0),
      0,
    );
    print(
      `Started wave ${waveId}: ${vms} VMs in ${wave.batches.length} batch(es), plan ${input.source.kind === 'plan' ? input.source.plan.sha256.slice(0, 12) : ''} from ${workspace}.`,
    );
    print(`  workflow ${workflowId}  ${temporal.workflowUrl(workflowId)}`);
    print(
      flags.requireApproval
        ? `  Next: factory wave approve ${waveId} --reason "…" (the wave waits for an approval)`
        : `  Next: factory wave status ${waveId} --watch`,
    );
  });
}
