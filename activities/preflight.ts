/**
 * Preflight reads: whether Azure is ready for a wave, with reads only and per wave (never per VM): the
 * vault's health, one fabric listing (process servers and every VM's mobility agent), the target group,
 * networks, subnet and cache storage account, the region's compute usages and SKUs, the caller's
 * permissions on each group the factory writes to, and the SQL migration service's integration runtime.
 * `factory preflight` runs `checkWave` from the CLI; the wave's gate runs it as the `runWavePreflight`
 * activity before replication starts.
 */
import type { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { ComputeManagementClient } from '@azure/arm-compute';
import type {
  InMageRcmFabricSpecificDetails,
  SiteRecoveryManagementClient,
} from '@azure/arm-recoveryservices-siterecovery';
import type { ServiceClient } from '@azure/core-client';
import { isRestError } from '@azure/core-rest-pipeline';
import type { WaveWorkflowInput } from '../contracts/workflow-inputs.ts';
import type { TargetSettings } from '../domain/migration.ts';
import { batchSpecsFromPlan } from '../domain/plan/batch-specs.ts';
import { databaseSpecsFromPlan } from '../domain/plan/database-specs.ts';
import {
  preflightNeeds,
  type PreflightCheck,
  type PreflightCheckName,
  type PreflightNeeds,
  type PreflightReport,
} from '../domain/preflight/checks.ts';
import { isAllowed, requiredActions, type Permission } from '../domain/preflight/permissions.ts';
import { evaluateQuota, type SkuFacts, type UsageReading } from '../domain/preflight/quota.ts';
import { ArmRest } from './arm-rest.ts';
import { azureErrorCode, withAzureErrors } from './azure-errors.ts';
import type { ArtifactCache } from './plan.ts';

export interface PreflightDeps {
  siteRecovery: SiteRecoveryManagementClient;
  compute: ComputeManagementClient;
  authorization: AuthorizationManagementClient;
  /** core-client client for the APIs without an SDK here (groups, networks, storage, SQL migration). */
  arm: Pick<ServiceClient, 'sendRequest'>;
  armEndpoint: string;
  subscriptionId: string;
  resourceGroup: string;
  vaultName: string;
}

export const preflightApiVersions = {
  resourceGroups: '2021-04-01',
  network: '2024-03-01',
  storage: '2023-05-01',
  sqlMigration: '2025-06-30',
} as const;

/** How a read ended: the body, or the refusal (404 missing, 403 not allowed) a check reports. */
type Read<T> = { ok: true; body: T } | { ok: false; status: number; code: string; message: string };

/** 404 and 403 are answers a check reports; anything else (throttling, 5xx, network) is thrown and retried. */
async function read<T>(call: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, body: await call() };
  } catch (error) {
    if (isRestError(error) && (error.statusCode === 404 || error.statusCode === 403))
      return {
        ok: false,
        status: error.statusCode,
        code: azureErrorCode(error) ?? `Http${error.statusCode}`,
        message: error.message,
      };
    throw error;
  }
}

const refusal = (r: { status: number; code: string; message: string }) =>
  r.status === 403 ? `not allowed to read it (${r.code}: ${r.message})` : `${r.code}: ${r.message}`;

const lastSegment = (id: string) => id.slice(id.lastIndexOf('/') + 1);
const parent = (id: string, segment: string) => {
  const at = id.toLowerCase().lastIndexOf(`/${segment.toLowerCase()}/`);
  return at < 0 ? undefined : id.slice(0, at);
};
const sample = (names: string[], n = 5) =>
  `${names.slice(0, n).join(', ')}${names.length > n ? ` and ${names.length - n} more` : ''}`;
const groupName = (id: string) => /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? id;

/** The checks of one wave, in `preflightCheckNames` order. */
export async function checkWave(deps: PreflightDeps, needs: PreflightNeeds): Promise<PreflightReport> {
  const { siteRecovery, vaultName, resourceGroup } = deps;
  const rest = new ArmRest(deps.arm, deps.armEndpoint, 1000);
  const checks: PreflightCheck[] = [];
  const pass = (name: PreflightCheckName, detail: string) => checks.push({ name, ok: true, detail });
  const fail = (name: PreflightCheckName, detail: string, fix: string) =>
    checks.push({ name, ok: false, detail, fix });
  const vaultPortal = `vault ${vaultName} (resource group ${resourceGroup})`;

  // Vault.
  const health = await read(() => siteRecovery.replicationVaultHealth.get(vaultName, resourceGroup));
  if (!health.ok)
    fail(
      'vault',
      `${vaultPortal}: ${refusal(health)}`,
      'Create the Recovery Services vault or set AZURE_VAULT_NAME / AZURE_RESOURCE_GROUP to the one holding the replication appliances.',
    );
  else {
    const props = health.body.properties;
    const errors = [
      ...(props?.vaultErrors ?? []).map((e) => `${e.errorCode ?? 'error'}: ${e.errorMessage ?? ''}`),
      ...[...(props?.fabricsHealth?.issues ?? []), ...(props?.containersHealth?.issues ?? [])]
        .filter((i) => i.severity === 'Error')
        .map((i) => `${i.summaryCode ?? 'issue'}: ${i.summaryMessage ?? ''}`),
    ];
    if (errors.length > 0)
      fail(
        'vault',
        `${vaultPortal} reports ${errors.length} error(s): ${sample(errors, 3)}`,
        'Open the vault in the portal (Site Recovery infrastructure) and resolve the errors it lists.',
      );
    else pass('vault', `${vaultPortal} is healthy`);
  }

  // One listing of the fabrics: every VM's site, appliance and agent.
  const fabrics: {
    name: string;
    location?: string;
    custom: InMageRcmFabricSpecificDetails;
    health?: string;
  }[] = [];
  if (health.ok) {
    for await (const fabric of siteRecovery.replicationFabrics.list(vaultName, resourceGroup)) {
      const custom = fabric.properties?.customDetails;
      if (custom?.instanceType !== 'InMageRcm') continue;
      fabrics.push({
        name: fabric.name ?? '',
        ...(fabric.location ? { location: fabric.location } : {}),
        custom: custom as InMageRcmFabricSpecificDetails,
        ...(fabric.properties?.health ? { health: fabric.properties.health } : {}),
      });
    }
  }
  const siteOf = (machineId: string) => parent(machineId, 'machines')?.toLowerCase();
  const fabricOfSite = new Map(fabrics.map((f) => [(f.custom.vmwareSiteId ?? '').toLowerCase(), f]));
  const sites = [...new Set(needs.vms.map((vm) => siteOf(vm.machineId) ?? ''))];
  const missingSites = sites.filter((site) => !fabricOfSite.has(site));
  const waveFabrics = sites.flatMap((site) => fabricOfSite.get(site) ?? []);
  if (!health.ok)
    fail('replication-fabric', 'not read: the vault is not reachable', 'Fix the vault check first.');
  else if (missingSites.length > 0)
    fail(
      'replication-fabric',
      `${vaultPortal} has no InMageRcm fabric for VMware site(s) ${missingSites.map(lastSegment).join(', ')}`,
      'Deploy and register a replication appliance for the site (Azure Migrate > Discover > Replicate), or correct --vmware-site.',
    );
  else {
    const unhealthy = waveFabrics.filter((f) => f.health === 'Critical');
    if (unhealthy.length > 0)
      fail(
        'replication-fabric',
        `fabric(s) ${unhealthy.map((f) => f.name).join(', ')} are Critical`,
        "Open the fabric's replication appliance in the portal and resolve its health errors.",
      );
    else
      pass(
        'replication-fabric',
        `fabric(s) ${waveFabrics.map((f) => f.name).join(', ') || 'none needed'} found`,
      );
  }

  // Process servers (appliances) the wave's VMs are assigned to.
  const servers = new Map(
    waveFabrics.flatMap((f) => (f.custom.processServers ?? []).map((ps) => [ps.name ?? '', ps] as const)),
  );
  const appliances = [...new Set(needs.vms.map((vm) => vm.appliance))].sort();
  const absent = appliances.filter((a) => !servers.has(a));
  const critical = appliances.filter((a) => servers.get(a)?.health === 'Critical');
  if (!health.ok || missingSites.length > 0)
    fail('process-servers', 'not read: no fabric for the wave', 'Fix the replication-fabric check first.');
  else if (absent.length > 0 || critical.length > 0)
    fail(
      'process-servers',
      [
        absent.length > 0 ? `appliance(s) ${absent.join(', ')} not registered in the fabric` : '',
        ...critical.map(
          (a) =>
            `appliance ${a} is Critical (${(servers.get(a)?.healthErrors ?? []).map((e) => e.errorCode).join(', ') || 'no heartbeat'})`,
        ),
      ]
        .filter(Boolean)
        .join('; '),
      'Start the appliance VM and its replication services, or re-plan the VMs onto a healthy appliance.',
    );
  else {
    const warnings = appliances.filter((a) => servers.get(a)?.health === 'Warning');
    pass(
      'process-servers',
      `${appliances.length} appliance(s) healthy${warnings.length > 0 ? ` (warnings on ${warnings.join(', ')})` : ''}`,
    );
  }

  // Mobility agents: one registered per machine, or push installation with a run-as account.
  const agents = new Set(
    waveFabrics.flatMap((f) => (f.custom.agentDetails ?? []).map((a) => (a.machineId ?? '').toLowerCase())),
  );
  const withoutAgent = needs.vms.filter((vm) => !agents.has(lastSegment(vm.machineId).toLowerCase()));
  const pushReady = waveFabrics.some((f) =>
    (f.custom.pushInstallers ?? []).some((p) => p.health !== 'Critical'),
  );
  if (!health.ok || missingSites.length > 0)
    fail('mobility-agents', 'not read: no fabric for the wave', 'Fix the replication-fabric check first.');
  else if (withoutAgent.length === 0)
    pass('mobility-agents', `all ${needs.vms.length} VM(s) have a registered agent`);
  else if (needs.runAsAccountId && pushReady)
    pass(
      'mobility-agents',
      `${withoutAgent.length} VM(s) without an agent get it pushed with run-as account ${lastSegment(needs.runAsAccountId)}`,
    );
  else
    fail(
      'mobility-agents',
      `${withoutAgent.length} of ${needs.vms.length} VM(s) have no mobility agent registered: ${sample(withoutAgent.map((vm) => vm.name))}`,
      needs.runAsAccountId
        ? 'The fabric has no healthy push installer: check the replication appliance, or install the agent on these VMs and register it with the appliance.'
        : 'Install the mobility agent on these VMs and register it with the appliance, or configure a run-as account so the appliance pushes it.',
    );

  // Target resource group, networks, subnet, cache storage account.
  const target: TargetSettings = needs.target;
  const exists = async (
    name: PreflightCheckName,
    id: string,
    apiVersion: string,
    what: string,
    fix: string,
  ): Promise<Read<Record<string, unknown>>> => {
    const result = await read(async () => (await rest.send('GET', rest.url(id, apiVersion))).body);
    if (result.ok) pass(name, `${what} ${id} exists`);
    else fail(name, `${what} ${id}: ${refusal(result)}`, fix);
    return result;
  };
  await exists(
    'target-resource-group',
    target.resourceGroupId,
    preflightApiVersions.resourceGroups,
    'resource group',
    `Create it (az group create --name ${groupName(target.resourceGroupId)} --location <region>) or correct --target-resource-group.`,
  );
  const network = await exists(
    'target-network',
    target.networkId,
    preflightApiVersions.network,
    'virtual network',
    'Create the virtual network or correct --target-network.',
  );
  if (!network.ok)
    fail(
      'target-subnet',
      `subnet ${target.subnetName}: its network is missing`,
      'Fix the target-network check first.',
    );
  else
    await exists(
      'target-subnet',
      `${target.networkId}/subnets/${target.subnetName}`,
      preflightApiVersions.network,
      'subnet',
      `Create it (az network vnet subnet create --vnet-name ${lastSegment(target.networkId)} --resource-group ${groupName(target.networkId)} --name ${target.subnetName} --address-prefixes <cidr>) or correct --target-subnet.`,
    );
  await exists(
    'test-network',
    target.testNetworkId,
    preflightApiVersions.network,
    'virtual network',
    'Create an isolated virtual network for test failovers or correct --test-network.',
  );
  await exists(
    'cache-storage-account',
    target.logStorageAccountId,
    preflightApiVersions.storage,
    'storage account',
    'Create a Standard general-purpose v2 account in the target region (az storage account create) or correct --cache-storage-account.',
  );

  // vCPU quota of the target region.
  const location = needs.location ?? waveFabrics.find((f) => f.location)?.location;
  if (location === undefined)
    fail(
      'vcpu-quota',
      'the target region is unknown (no fabric location and no --location)',
      'Set --location.',
    );
  else {
    const usages: UsageReading[] = [];
    const skus: SkuFacts[] = [];
    await withAzureErrors(`read compute usages in ${location}`, async () => {
      for await (const usage of deps.compute.usageOperations.list(location))
        usages.push({
          name: usage.name.value ?? '',
          ...(usage.name.localizedValue ? { label: usage.name.localizedValue } : {}),
          currentValue: usage.currentValue,
          limit: usage.limit,
        });
      for await (const sku of deps.compute.resourceSkus.list({ filter: `location eq '${location}'` })) {
        if (sku.resourceType !== 'virtualMachines' || !sku.name || !sku.family) continue;
        const vcpus = Number(sku.capabilities?.find((c) => c.name === 'vCPUs')?.value);
        if (Number.isFinite(vcpus)) skus.push({ name: sku.name, family: sku.family, vcpus });
      }
    });
    const verdict = evaluateQuota(needs.vms, skus, usages);
    const problems = [
      ...verdict.shortfalls,
      ...verdict.unknownSizes.map(
        (u) => `size ${u.size} is not offered in ${location} (${sample(u.vms, 3)})`,
      ),
    ];
    const totals = Object.entries(verdict.demand)
      .map(([family, n]) => `${family} ${n}`)
      .join(', ');
    if (problems.length > 0)
      fail(
        'vcpu-quota',
        `${location}: ${problems.join('; ')}`,
        'Request a quota increase for these families in the region (portal: Subscriptions > Usage + quotas), or plan other sizes.',
      );
    else
      pass(
        'vcpu-quota',
        `${location} has room for the wave's vCPUs (${totals || 'none sized'})${verdict.unsized.length > 0 ? `; ${verdict.unsized.length} VM(s) without a planned size not counted` : ''}`,
      );
  }

  // SQL migration service and its self-hosted integration runtime.
  const sqlService = needs.databases?.sqlMigrationServiceId;
  if (sqlService) {
    const keys = `az datamigration sql-service list-auth-key --resource-group ${groupName(sqlService)} --sql-migration-service-name ${lastSegment(sqlService)}`;
    const register = `Install the self-hosted integration runtime on a Windows machine that reaches the source SQL Servers and the backup share, then register it with one of the keys (${keys}).`;
    const service = await read(
      async () =>
        (await rest.send('GET', rest.url(sqlService, preflightApiVersions.sqlMigration))).body as {
          properties?: { integrationRuntimeState?: string; provisioningState?: string };
        },
    );
    if (!service.ok)
      fail(
        'sql-migration-runtime',
        `SQL migration service ${sqlService}: ${refusal(service)}`,
        `Create it (az datamigration sql-service create --resource-group ${groupName(sqlService)} --sql-migration-service-name ${lastSegment(sqlService)} --location <region>), then: ${register}`,
      );
    else {
      const state = service.body.properties?.integrationRuntimeState ?? 'unknown';
      if (state === 'Online')
        pass('sql-migration-runtime', `${lastSegment(sqlService)}: integration runtime Online`);
      else
        fail('sql-migration-runtime', `${lastSegment(sqlService)}: integration runtime ${state}`, register);
    }
  } else pass('sql-migration-runtime', 'the wave has no SQL Server databases');

  // Permissions on every group the factory writes to.
  const missing: string[] = [];
  for (const [groupId, actions] of requiredActions(
    needs,
    `/subscriptions/${deps.subscriptionId}/resourceGroups/${resourceGroup}`,
  )) {
    const name = groupName(groupId);
    const permissions = await read(async () => {
      const all: Permission[] = [];
      for await (const p of deps.authorization.permissions.listForResourceGroup(name)) all.push(p);
      return all;
    });
    if (!permissions.ok) {
      missing.push(`${name}: ${refusal(permissions)}`);
      continue;
    }
    const lacking = actions.filter((action) => !isAllowed(permissions.body, action));
    if (lacking.length > 0) missing.push(`${name}: ${lacking.join(', ')}`);
  }
  if (missing.length > 0)
    fail(
      'permissions',
      `the principal lacks: ${missing.join('; ')}`,
      'Grant the principal a role with these actions on those resource groups (Contributor, or a custom role listing them).',
    );
  else pass('permissions', 'the principal may perform every action the factory uses');

  return { waveId: needs.waveId, checks };
}

export interface WavePreflightInput {
  waveId: string;
  source: WaveWorkflowInput['source'];
  target: TargetSettings;
  location?: string;
  runAsAccountId?: string;
  databases?: WaveWorkflowInput['databases'];
}

/** The `runWavePreflight` activity: the wave's needs from its pinned plan (or inline batches), then the checks. */
export function createPreflightActivities(deps: PreflightDeps & { artifacts?: ArtifactCache }) {
  return {
    async runWavePreflight(input: WavePreflightInput): Promise<PreflightReport> {
      const { source } = input;
      let batches;
      let databaseSpecs;
      if (source.kind === 'plan') {
        if (!deps.artifacts) throw new Error('this worker has no artifact store to read the plan from');
        const plan = await deps.artifacts.get('plan', source.plan.artifacts.plan);
        batches = batchSpecsFromPlan(plan, input.waveId, source.plan.scope).map((b) => b.spec);
        if (input.databases?.targets) {
          const estate = await deps.artifacts.get('estate', source.plan.artifacts.estate);
          databaseSpecs = databaseSpecsFromPlan(
            plan,
            estate.databases,
            input.waveId,
            input.databases.targets,
          ).databases.map((d) => d.spec);
        }
      } else {
        batches = source.batches;
        databaseSpecs = input.databases?.items?.map((d) => d.spec);
      }
      const services = input.databases?.services;
      return checkWave(
        deps,
        preflightNeeds({
          waveId: input.waveId,
          batches,
          target: input.target,
          ...(input.location ? { location: input.location } : {}),
          ...(input.runAsAccountId ? { runAsAccountId: input.runAsAccountId } : {}),
          ...(services && databaseSpecs
            ? {
                databases: {
                  sqlMigrationServiceId: services.sqlMigrationServiceId,
                  classicServiceId: services.classic.serviceId,
                  specs: databaseSpecs,
                },
              }
            : {}),
        }),
      );
    },
  };
}

export type PreflightActivities = ReturnType<typeof createPreflightActivities>;
