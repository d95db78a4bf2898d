/**
 * Site Recovery activities: everything the batch workflow does to Azure, through the official SDK.
 * Each activity is idempotent: it reads the current Azure state before it writes (or writes with a
 * create-or-update PUT), and long operations keep their poller state in heartbeat details so a retried
 * attempt resumes polling instead of re-issuing.
 */
import type {
  RecoveryPlan,
  ReplicationProtectedItem,
  SiteRecoveryManagementClient,
  InMageRcmFabricSpecificDetails,
  InMageRcmReplicationDetails,
} from '@azure/arm-recoveryservices-siterecovery';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type {
  BatchVm,
  ReplicationSite,
  TargetSettings,
  VmRef,
  VmReplicationState,
  VmReplicationStatus,
} from '../domain/migration.ts';
import { notYetReplicating, protectedItemName } from '../domain/migration.ts';
import { armPath } from './arm-path.ts';
import { isRestError } from '@azure/core-rest-pipeline';
import { ArmRest } from './arm-rest.ts';
import {
  azureErrorCode,
  azureErrorDetail,
  isPermanent,
  toActivityFailure,
  asAzureActivities,
  withAzureErrors,
} from './azure-errors.ts';
import { ErrorType, azureErrorType } from '../contracts/errors.ts';
import { pause } from './liveness.ts';
import { SharedWork } from './shared-work.ts';

export interface SiteRecoveryDeps {
  client: SiteRecoveryManagementClient;
  /** The client's ARM endpoint (listings go through its pipeline to URLs built here). */
  armEndpoint: string;
  subscriptionId: string;
  resourceGroup: string;
  vaultName: string;
  /** Poll interval for LROs and job waits when Azure gives no Retry-After. */
  pollIntervalMs: number;
  /**
   * Container listing pages a second this worker's replication polls may read (see `readSince`): a share
   * of its ARM read budget, so listings never starve the per-VM calls.
   */
  listingPagesPerSecond: number;
}

export type RecoveryPlanAction =
  'testFailover' | 'testFailoverCleanup' | 'unplannedFailover' | 'failoverCommit' | 'failoverCancel';

export interface ReplicationPollInput {
  site: ReplicationSite;
  vms: VmRef[];
  /** Return early once what the workflow must act on (errors, stalls) differs from this fingerprint. */
  previousFingerprint?: string;
  /** Longest time to wait for a change before reporting anyway. */
  maxWaitMs: number;
  /**
   * Epoch ms after the batch's last write completed (the workflow's time when it scheduled the poll): a
   * container listing started since then shows those writes, so it may be shared with other batches' polls.
   * Defaults to the activity's start.
   */
  readAfter?: number;
}

export interface ReplicationPollResult {
  fingerprint: string;
  vms: VmReplicationStatus[];
}

export interface VmFailure {
  name: string;
  code: string;
  message: string;
}

export interface EnableReplicationResult {
  enabled: string[];
  alreadyEnabled: string[];
  /** VMs Azure refused for a reason a retry cannot fix (bad input, wrong state): to be parked. */
  failed: VmFailure[];
}

/**
 * Per-VM requests of one activity in flight at once: one at a time, each would wait its turn in the
 * worker's ARM budget behind every other activity's requests.
 */
const perVmConcurrency = 8;

/**
 * Runs `each` over `items` with at most `limit` in flight. After the first error no new item starts, the
 * ones in flight finish, and the error is thrown: a retried attempt must not race this one's requests.
 */
async function inParallel<T>(items: T[], limit: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let firstError: { error: unknown } | undefined;
  const lane = async () => {
    while (next < items.length && !firstError) {
      const item = items[next++]!;
      try {
        await each(item);
      } catch (error) {
        firstError ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (firstError) throw firstError.error;
}

/**
 * Runs one per-VM call; a permanent (4xx) refusal is returned for that VM alone, so one VM never fails
 * its batch. Throttling, 5xx and network errors are rethrown and retried by the activity.
 */
async function permanentFailureOf(
  call: () => Promise<unknown>,
): Promise<Omit<VmFailure, 'name'> | undefined> {
  try {
    await call();
    return undefined;
  } catch (error) {
    if (isRestError(error) && error.statusCode && isPermanent(error.statusCode)) {
      const detail = azureErrorDetail(error);
      const advice = detail?.recommendedAction ? ` Recommended action: ${detail.recommendedAction}` : '';
      return {
        code: detail?.code ?? `Http${error.statusCode}`,
        message: `${detail?.message ?? error.message}${advice}`,
      };
    }
    throw error;
  }
}
/** Azure's code for a request on an item that another job is still working on. */
const operationInProgress = 'OperationInProgress';

const lastSegment = (id: string) => id.slice(id.lastIndexOf('/') + 1);
/** Listing key of an item: its machine (what the factory names items after), case-insensitive as ARM. */
const itemKey = (item: ReplicationProtectedItem) => {
  const details = item.properties?.providerSpecificDetails as InMageRcmReplicationDetails | undefined;
  return (
    details?.fabricDiscoveryMachineId ? lastSegment(details.fabricDiscoveryMachineId) : (item.name ?? '')
  ).toLowerCase();
};
const vmKey = (vm: VmRef) => protectedItemName(vm.machineId).toLowerCase();

/**
 * A resource that does not exist: 404, or the specific code Site Recovery gives for it (it answers some
 * missing resources with 400 and a `…NotFound` / `…EntityMissing` code in the error details).
 */
const isNotFound = (error: unknown): boolean =>
  (isRestError(error) && error.statusCode === 404) ||
  /NotFound$|EntityMissing$/i.test(azureErrorCode(error) ?? '');

/** ASR protectionState → the factory's coarse VM state; unknown strings are read from activeLocation. */
const itemStates: Record<string, VmReplicationState> = {
  EnablingProtection: 'enabling',
  EnablingFailed: 'error',
  InitialReplicationInProgress: 'replicating',
  Protected: 'protected',
  UnplannedFailoverInitiated: 'failing-over',
  UnplannedFailoverFailed: 'error',
  UnplannedFailoverCompleted: 'failed-over',
  CommitFailoverInProgressOnRecovery: 'failed-over',
  CommitFailoverCompleted: 'committed',
  DisablingProtection: 'committed',
};

/** Which plan operation must still be allowed for the action to be pending, and its ASR scenario name. */
const planActions: Record<RecoveryPlanAction, { allowed: string; scenarios: string[] }> = {
  testFailover: { allowed: 'TestFailover', scenarios: ['TestFailover'] },
  testFailoverCleanup: { allowed: 'TestFailoverCleanup', scenarios: ['TestFailoverCleanup'] },
  unplannedFailover: { allowed: 'UnplannedFailover', scenarios: ['UnplannedFailover'] },
  // ASR names the commit job `CommitFailover` (ReplicationRecoveryPlans_FailoverCommit's example).
  failoverCommit: { allowed: 'Commit', scenarios: ['CommitFailover', 'Commit', 'FailoverCommit'] },
  failoverCancel: { allowed: 'CancelFailover', scenarios: ['CancelFailover'] },
};

export function vmReplicationStatus(
  name: string,
  item: ReplicationProtectedItem | undefined,
): VmReplicationStatus {
  if (!item?.properties) return notYetReplicating(name);
  const props = item.properties;
  const details = props.providerSpecificDetails as InMageRcmReplicationDetails | undefined;
  const percent = details?.initialReplicationProgressPercentage ?? 0;
  const protectionState = props.protectionState ?? 'Unknown';
  const state: VmReplicationState =
    itemStates[protectionState] ?? (props.activeLocation === 'Recovery' ? 'failed-over' : 'replicating');
  return {
    name,
    state,
    protectionState,
    replicationHealth: props.replicationHealth ?? 'None',
    initialReplicationPercent: percent,
    progressHealth: details?.initialReplicationProgressHealth ?? 'None',
    rpoSeconds: details?.lastRpoInSeconds,
    activeLocation: props.activeLocation,
    testFailoverState: props.testFailoverState,
    healthErrors: (props.healthErrors ?? []).map((e) => ({
      code: e.errorCode ?? 'Unknown',
      message: e.errorMessage ?? e.summaryMessage ?? '',
      recommendedAction: e.recommendedAction,
    })),
  };
}

/**
 * What the batch workflow must act on: VMs in error or gone (park them) and stalled VMs (repair them).
 * Progress alone does not change it, so a days-long replication returns only on these, on settling, or
 * at the report interval.
 */
export function replicationFingerprint(vms: VmReplicationStatus[]): string {
  return vms
    .filter((vm) => vm.state === 'error' || vm.state === 'absent' || vm.progressHealth === 'NoProgress')
    .map((vm) => `${vm.name}:${vm.state === 'replicating' ? 'stalled' : vm.state}`)
    .sort()
    .join(',');
}

export function createSiteRecoveryActivities(deps: SiteRecoveryDeps) {
  const { client, vaultName: vault, resourceGroup: rg } = deps;
  /** LRO options of the current attempt: its cancellation also stops the poller's waits between polls. */
  const lro = () => ({
    updateIntervalInMs: deps.pollIntervalMs,
    abortSignal: Context.current().cancellationSignal,
  });

  /**
   * One container listing shared by every activity of this worker that needs one at the same time: with
   * dozens of batches polling, the worker reads the container once per poll interval, not once per batch.
   * `startedAfter` is the oldest acceptable read start; callers deciding a write pass "now" (a fresh read).
   * The listing is shared work (`shared-work.ts`): a cancelled poll neither aborts it nor turns its errors
   * into cancellations of the other polls.
   */
  const containerReads = new Map<
    string,
    { startedAt: number; listing: SharedWork<Map<string, ReplicationProtectedItem>> }
  >();
  /** Pages of the last listing per container: a large container is listed less often (see `readSince`). */
  const listingPages = new Map<string, number>();
  function readContainer(
    site: ReplicationSite,
    startedAfter: number,
  ): SharedWork<Map<string, ReplicationProtectedItem>> {
    const key = `${site.fabricName}/${site.containerName}`;
    const cached = containerReads.get(key);
    if (cached && cached.startedAt >= startedAfter && !cached.listing.abandoned) return cached.listing;
    const read = { startedAt: Date.now(), listing: new SharedWork((signal) => listItems(site, key, signal)) };
    containerReads.set(key, read);
    read.listing.result.catch(() => {
      if (containerReads.get(key) === read) containerReads.delete(key);
    });
    return read.listing;
  }
  /**
   * A read that started after `since` (the activity's start, so after the batch's own writes) and is at
   * most one poll interval old, or older for a large container: polls list at most
   * `deps.listingPagesPerSecond` pages a second per worker, so thousands of replicating VMs do not spend
   * the principal's ARM read budget on listings.
   */
  const readSince = (site: ReplicationSite, since: number) => {
    const pages = listingPages.get(`${site.fabricName}/${site.containerName}`) ?? 1;
    const maxAgeMs = Math.max(deps.pollIntervalMs, (pages * 1000) / deps.listingPagesPerSecond);
    return readContainer(site, Math.max(since, Date.now() - maxAgeMs));
  };

  /**
   * Raw requests through the SDK client's own pipeline (credential, Retry-After, retries, ARM budget) for
   * the per-VM calls: the generated `begin*` methods read the operation status once before returning
   * (20,000 reads for 10,000 VMs' enables and removals, which the container listing makes redundant).
   */
  const rest = new ArmRest(client, deps.armEndpoint, deps.pollIntervalMs);

  /**
   * The container's items, page by page (`nextLink`), without the SDK's model deserialiser: at 1,000 VMs
   * it (mapper-driven, polymorphic) was a fifth of each worker's CPU, and a large program lists thousands
   * of items a second. The fields read (`vmReplicationStatus`) are plain JSON with the model's names.
   */
  async function listItems(
    site: ReplicationSite,
    key: string,
    signal: AbortSignal,
  ): Promise<Map<string, ReplicationProtectedItem>> {
    const items = new Map<string, ReplicationProtectedItem>();
    let pages = 0;
    const path = `${containerPath(site)}/replicationProtectedItems`;
    let url: string | undefined = rest.url(path, client.apiVersion);
    while (url) {
      const page = (await rest.send('GET', url, undefined, signal)).body as {
        value?: ReplicationProtectedItem[];
        nextLink?: string;
      };
      for (const item of page.value ?? []) if (item.name) items.set(itemKey(item), item);
      url = page.nextLink;
      pages += 1;
    }
    listingPages.set(key, pages);
    return items;
  }

  function containerPath(site: ReplicationSite): string {
    return armPath`/subscriptions/${deps.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${vault}/replicationFabrics/${site.fabricName}/replicationProtectionContainers/${site.containerName}`;
  }

  /** The ARM id of a VM's protected item, named after its machine (`protectedItemName`). */
  function protectedItemId(site: ReplicationSite, vm: VmRef): string {
    return `${containerPath(site)}${armPath`/replicationProtectedItems/${protectedItemName(vm.machineId)}`}`;
  }

  async function planExists(planName: string): Promise<boolean> {
    try {
      await client.replicationRecoveryPlans.get(vault, rg, planName);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** The VMs' items by VM name, one GET each (a few in flight): absent ones (404) are missing from the map. */
  async function readItems(
    site: ReplicationSite,
    vms: VmRef[],
  ): Promise<Map<string, ReplicationProtectedItem>> {
    const items = new Map<string, ReplicationProtectedItem>();
    await inParallel(vms, perVmConcurrency, async (vm) => {
      const item = await rest.get<ReplicationProtectedItem>(protectedItemId(site, vm), client.apiVersion);
      if (item) items.set(vm.name, item);
    });
    return items;
  }

  /**
   * Issues remove for each item, then reads the issued ones (one GET each per poll) until all are gone
   * (404). An item whose own job is still running (409 OperationInProgress, e.g. enable during a
   * rollback) is asked again on the next round instead of failing the activity.
   */
  async function removeItems(
    site: ReplicationSite,
    vms: VmRef[],
    reason: 'MigrationComplete' | 'NotSpecified',
  ) {
    const issued = new Set<string>();
    const gone = new Set<string>();
    for (;;) {
      const pending = vms.filter((vm) => !gone.has(vm.name));
      await inParallel(pending, perVmConcurrency, async (vm) => {
        const { name } = vm;
        if (issued.has(name)) {
          if (!(await rest.get(protectedItemId(site, vm), client.apiVersion))) gone.add(name);
          return;
        }
        try {
          await rest.send(
            'POST',
            rest.url(`${protectedItemId(site, vm)}/remove`, client.apiVersion),
            { properties: { disableProtectionReason: reason } },
            Context.current().cancellationSignal,
          );
          issued.add(name);
        } catch (error) {
          // Never enabled, or an earlier attempt's removal finished: nothing to do.
          if (isRestError(error) && error.statusCode === 404) gone.add(name);
          else if (azureErrorCode(error) !== operationInProgress)
            throw toActivityFailure(error, `remove protected item ${name}`);
        }
      });
      if (gone.size === vms.length) return;
      Context.current().heartbeat({ pending: vms.length - gone.size, issued: issued.size });
      await pause(deps.pollIntervalMs);
    }
  }

  /**
   * Waits for a Site Recovery job to end. A test failover job does not end when the test machines are up:
   * Azure suspends it (`Suspended`, WaitingForStopTestFailover) until test failover cleanup resumes and
   * ends it, so for a test failover `Suspended` is done, waiting for cleanup. Any other suspended job
   * waits for an operator to resume it in the vault, and is waited for.
   */
  async function waitForJob(jobId: string, context: string): Promise<void> {
    const jobName = lastSegment(jobId);
    for (;;) {
      const job = await client.replicationJobs.get(vault, rg, jobName);
      const state = job.properties?.state ?? 'Unknown';
      const scenario = job.properties?.scenarioName;
      Context.current().heartbeat({ jobId, state, stateDescription: job.properties?.stateDescription });
      if (state === 'Succeeded') return;
      if (state === 'Suspended' && scenario === 'TestFailover') return;
      if (['Failed', 'Cancelled', 'Canceled'].includes(state)) {
        const error = job.properties?.errors?.[0]?.serviceErrorDetails;
        const advice = error?.recommendedAction ? ` Recommended action: ${error.recommendedAction}` : '';
        throw ApplicationFailure.create({
          type: azureErrorType(error?.code ?? 'JobFailed'),
          message: `${context}: job ${jobName} ended ${state}: ${error?.message ?? job.properties?.stateDescription ?? ''}${advice}`,
          nonRetryable: true,
          details: [{ jobId, recommendedAction: error?.recommendedAction }],
        });
      }
      await pause(deps.pollIntervalMs);
    }
  }

  return asAzureActivities({
    /** Finds the InMageRcm fabric, its container, replication policy and appliances (process servers). */
    async discoverReplicationSite(): Promise<ReplicationSite> {
      return withAzureErrors('discover replication site', async () => {
        for await (const fabric of client.replicationFabrics.list(vault, rg)) {
          if (fabric.properties?.customDetails?.instanceType !== 'InMageRcm' || !fabric.name || !fabric.id)
            continue;
          const custom = fabric.properties.customDetails as InMageRcmFabricSpecificDetails;
          const containers = client.replicationProtectionContainers.listByReplicationFabrics(
            vault,
            rg,
            fabric.name,
          );
          for await (const container of containers) {
            if (!container.name) continue;
            const mappings =
              client.replicationProtectionContainerMappings.listByReplicationProtectionContainers(
                vault,
                rg,
                fabric.name,
                container.name,
              );
            for await (const mapping of mappings) {
              const policyId = mapping.properties?.policyId;
              if (!policyId) continue;
              return {
                fabricName: fabric.name,
                fabricId: fabric.id,
                containerName: container.name,
                policyId,
                processServers: (custom.processServers ?? []).map((ps) => ({
                  id: ps.id ?? '',
                  name: ps.name ?? '',
                })),
              };
            }
          }
        }
        throw ApplicationFailure.create({
          type: ErrorType.replicationSiteNotFound,
          message: `Vault ${vault} in ${rg} has no InMageRcm fabric with a mapped protection container and policy; set up the replication appliance first.`,
          nonRetryable: true,
        });
      });
    },

    /** Enables replication for the VMs not yet protected; already-protected VMs are left untouched. */
    async enableReplication(input: {
      site: ReplicationSite;
      target: TargetSettings;
      vms: BatchVm[];
    }): Promise<EnableReplicationResult> {
      const { site, target } = input;
      const enabled: string[] = [];
      const alreadyEnabled: string[] = [];
      const failed: VmFailure[] = [];
      const toEnable: { vm: BatchVm; processServerId: string }[] = [];
      for (const vm of input.vms) {
        const processServer = site.processServers.find((ps) => ps.name === vm.appliance);
        if (!processServer) {
          failed.push({
            name: vm.name,
            code: 'ApplianceNotFound',
            message: `assigned to appliance ${vm.appliance}, which fabric ${site.fabricName} does not have (known: ${site.processServers.map((ps) => ps.name).join(', ')})`,
          });
          continue;
        }
        toEnable.push({ vm, processServerId: processServer.id });
      }
      // PUT is create-or-update: an item that already exists for the machine (an earlier attempt, or
      // enabled outside the factory) answers 200 and is left as it is, so no read is needed first.
      await inParallel(toEnable, perVmConcurrency, async ({ vm, processServerId }) => {
        Context.current().heartbeat({ enabled: enabled.length, failed: failed.length });
        let status = 0;
        const failure = await permanentFailureOf(async () => {
          const response = await rest.send(
            'PUT',
            rest.url(protectedItemId(site, vm), client.apiVersion),
            {
              properties: {
                policyId: site.policyId,
                providerSpecificDetails: {
                  instanceType: 'InMageRcm',
                  fabricDiscoveryMachineId: vm.machineId,
                  processServerId,
                  targetResourceGroupId: target.resourceGroupId,
                  targetNetworkId: target.networkId,
                  targetSubnetName: target.subnetName,
                  testNetworkId: target.testNetworkId,
                  testSubnetName: target.subnetName,
                  targetVmName: vm.name,
                  targetVmSize: vm.targetVmSize,
                  // Lets the appliance push the mobility agent to a VM that has none (ignored otherwise).
                  ...(target.runAsAccountId === undefined ? {} : { runAsAccountId: target.runAsAccountId }),
                  disksDefault: {
                    logStorageAccountId: target.logStorageAccountId,
                    diskType: 'Premium_LRS',
                  },
                },
              },
            },
            Context.current().cancellationSignal,
          );
          status = response.status;
        });
        if (failure) failed.push({ name: vm.name, ...failure });
        else (status === 200 ? alreadyEnabled : enabled).push(vm.name);
      });
      return { enabled, alreadyEnabled, failed };
    },

    /**
     * Reads the batch's replication state with one paged list per poll (never one GET per VM) and returns when
     * the coarse progress changes or maxWaitMs passes, so a days-long replication costs few workflow events.
     */
    async pollReplication(input: ReplicationPollInput): Promise<ReplicationPollResult> {
      const started = Date.now();
      for (;;) {
        const listing = readSince(input.site, Math.min(input.readAfter ?? started, started));
        const items = await withAzureErrors('list protected items', () => listing.join());
        const vms = input.vms.map((vm) => vmReplicationStatus(vm.name, items.get(vmKey(vm))));
        const fingerprint = replicationFingerprint(vms);
        const settled = vms.every((vm) => vm.state !== 'enabling' && vm.state !== 'replicating');
        if (
          settled ||
          fingerprint !== (input.previousFingerprint ?? '') ||
          Date.now() - started >= input.maxWaitMs
        ) {
          return { fingerprint, vms };
        }
        Context.current().heartbeat({ fingerprint });
        await pause(deps.pollIntervalMs);
      }
    },

    /** Creates the batch's recovery plan (one per batch, at most 100 VMs) with boot groups db → app → web. */
    async createRecoveryPlan(input: {
      site: ReplicationSite;
      planName: string;
      vms: BatchVm[];
    }): Promise<string> {
      const { site, planName } = input;
      return withAzureErrors(`create recovery plan ${planName}`, async () => {
        try {
          const plan = await client.replicationRecoveryPlans.get(vault, rg, planName);
          if (plan.id) return plan.id;
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
        const tiers = ['db', 'app', 'web'] as const;
        const bootGroups = tiers
          .map((tier) => input.vms.filter((vm) => vm.tier === tier))
          .filter((group) => group.length > 0)
          .map((group) => ({
            groupType: 'Boot' as const,
            replicationProtectedItems: group.map((vm) => ({
              id: protectedItemId(site, vm),
              virtualMachineId: protectedItemName(vm.machineId),
            })),
          }));
        await client.replicationRecoveryPlans.beginCreateAndWait(
          vault,
          rg,
          planName,
          {
            properties: {
              primaryFabricId: site.fabricId,
              recoveryFabricId: 'Microsoft Azure',
              failoverDeploymentModel: 'ResourceManager',
              groups: [
                { groupType: 'Shutdown', replicationProtectedItems: [] },
                { groupType: 'Failover', replicationProtectedItems: [] },
                ...bootGroups,
              ],
            },
          },
          lro(),
        );
        // Read the plan itself: Azure's 202 names only the operation status (no Location), and the id
        // must be the one Azure stores.
        const created = await client.replicationRecoveryPlans.get(vault, rg, planName);
        return created.id ?? planName;
      });
    },

    /**
     * Runs one recovery-plan operation to completion, exactly once: it resumes a poller saved in heartbeat
     * details, waits for a job of the same scenario that is already running, skips when the plan no longer
     * allows the operation (an earlier attempt finished it), and otherwise starts it.
     */
    async runRecoveryPlanAction(input: {
      planName: string;
      action: RecoveryPlanAction;
      testNetworkId?: string;
    }): Promise<'completed' | 'already-done'> {
      const { planName, action } = input;
      const context = `${action} of recovery plan ${planName}`;
      const saved = (Context.current().info.heartbeatDetails as { poller?: string } | undefined)?.poller;
      const options = { ...lro(), ...(saved ? { resumeFrom: saved } : {}) };

      /** What another attempt did: a job of this scenario is running (waited for) or the plan is past it. */
      const doneElsewhere = async (): Promise<'completed' | 'already-done' | undefined> => {
        const plan: RecoveryPlan = await client.replicationRecoveryPlans.get(vault, rg, planName);
        const scenario = plan.properties?.currentScenario;
        if (
          scenario?.scenarioName &&
          planActions[action].scenarios.includes(scenario.scenarioName) &&
          scenario.jobId
        ) {
          await waitForJob(scenario.jobId, context);
          return 'completed';
        }
        if (!plan.properties?.allowedOperations?.includes(planActions[action].allowed)) return 'already-done';
        return undefined;
      };

      return withAzureErrors(context, async () => {
        if (!saved) {
          const done = await doneElsewhere();
          if (done) return done;
        }
        try {
          return await startAndWait();
        } catch (error) {
          // An earlier attempt Temporal gave up on may have started the same operation after the read
          // above: Azure then refuses this one (409 with OperationInProgress or a state error such as
          // TestFailoverAlreadyActive in the details; Site Recovery's specific codes vary, and some
          // refusals come as 400), and the plan says how that one went. A refusal the plan does not
          // explain fails the activity with Azure's specific code and recommended action.
          if (!(isRestError(error) && (error.statusCode === 409 || error.statusCode === 400))) throw error;
          const done = await doneElsewhere();
          if (done) return done;
          throw error;
        }
      });

      async function startAndWait(): Promise<'completed'> {
        const recoveryPoint = [{ instanceType: 'InMageRcm' as const, recoveryPointType: 'Latest' }];
        const plans = client.replicationRecoveryPlans;
        const poller =
          action === 'testFailover'
            ? await plans.beginTestFailover(
                vault,
                rg,
                planName,
                {
                  properties: {
                    failoverDirection: 'PrimaryToRecovery',
                    networkType: 'VmNetworkAsInput',
                    networkId: input.testNetworkId,
                    providerSpecificDetails: recoveryPoint,
                  },
                },
                options,
              )
            : action === 'testFailoverCleanup'
              ? await plans.beginTestFailoverCleanup(
                  vault,
                  rg,
                  planName,
                  { properties: { comments: 'Test failover validated by Migration Factory' } },
                  options,
                )
              : action === 'unplannedFailover'
                ? await plans.beginUnplannedFailover(
                    vault,
                    rg,
                    planName,
                    {
                      properties: {
                        failoverDirection: 'PrimaryToRecovery',
                        sourceSiteOperations: 'Required',
                        providerSpecificDetails: recoveryPoint,
                      },
                    },
                    options,
                  )
                : action === 'failoverCommit'
                  ? await plans.beginFailoverCommit(vault, rg, planName, options)
                  : await plans.beginFailoverCancel(vault, rg, planName, options);
        Context.current().heartbeat({ poller: poller.toString() });
        poller.onProgress(() => Context.current().heartbeat({ poller: poller.toString() }));
        await poller.pollUntilDone({ abortSignal: Context.current().cancellationSignal });
        return 'completed';
      }
    },

    /** Reads every VM of the batch individually: the outcome of a cutover, never a job status. */
    async readBatchState(input: { site: ReplicationSite; vms: VmRef[] }): Promise<VmReplicationStatus[]> {
      const items = await readItems(input.site, input.vms);
      return input.vms.map((vm) => vmReplicationStatus(vm.name, items.get(vm.name)));
    },

    /** Completes migration (disable replication with reason MigrationComplete) for the committed VMs. */
    async completeMigration(input: {
      site: ReplicationSite;
      vms: VmRef[];
    }): Promise<{ completed: string[] }> {
      await removeItems(input.site, input.vms, 'MigrationComplete');
      return { completed: input.vms.map((vm) => vm.name) };
    },

    /** Disables replication (rollback, skip, re-enable): the protected items go, the source VMs stay. */
    async disableReplication(input: { site: ReplicationSite; vms: VmRef[] }): Promise<void> {
      await removeItems(input.site, input.vms, 'NotSpecified');
    },

    /**
     * Starts a resynchronisation for stalled VMs; VMs whose state does not allow it are reported back. A VM
     * busy with a job (an earlier request's resync that has not started transferring yet, or a retried
     * attempt's) is left to it: the next poll shows whether it progresses.
     */
    async repairReplication(input: {
      site: ReplicationSite;
      vms: VmRef[];
    }): Promise<{ failed: VmFailure[]; inProgress: string[] }> {
      const failed: VmFailure[] = [];
      const inProgress: string[] = [];
      for (const { name, machineId } of input.vms) {
        Context.current().heartbeat({ repairing: name });
        const failure = await permanentFailureOf(() =>
          client.replicationProtectedItems.beginRepairReplication(
            vault,
            rg,
            input.site.fabricName,
            input.site.containerName,
            protectedItemName(machineId),
            lro(),
          ),
        );
        if (failure?.code === operationInProgress) inProgress.push(name);
        else if (failure) failed.push({ name, ...failure });
      }
      return { failed, inProgress };
    },

    /** Deletes the batch's recovery plan if it exists (rollback). */
    async deleteRecoveryPlan(input: { planName: string }): Promise<void> {
      await withAzureErrors(`delete recovery plan ${input.planName}`, async () => {
        if (!(await planExists(input.planName))) return;
        await client.replicationRecoveryPlans.beginDeleteAndWait(vault, rg, input.planName, lro());
      });
    },
  });
}

export type SiteRecoveryActivities = ReturnType<typeof createSiteRecoveryActivities>;
