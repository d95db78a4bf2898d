/**
 * Settings profiles and `assembleWaveInput` on a planned workspace (the demo's generated estate, planned
 * by the CLI's own commands): what the azure profile requires, that no simulator id reaches an azure
 * wave, and what is refused before anything starts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { planDemoWorkspace } from '../../cli/demo.ts';
import {
  assembleWaveInput,
  WaveRefusedError,
  type WaveArtifacts,
  type WaveRunChoices,
} from '../../contracts/assemble-wave-input.ts';
import {
  profileTimings,
  resolveWaveSettings,
  simulatorDefaults,
  WaveSettingsError,
} from '../../contracts/wave-settings.ts';
import { defaultVmwareSiteName, demoScope } from '../../domain/demo.ts';
import { resolveWave } from '../../cli/operate/wave-start.ts';
import { loadWorkspaceArtifacts } from '../../workspace/artifact-store.ts';

const run: WaveRunChoices = {
  maxConcurrentBatches: 2,
  requireApproval: true,
  requireValidationSignOff: false,
  cutover: 'plan-windows',
};

const sub = '0b7c1e2a-3d4f-4a5b-8c9d-112233445566';
const rg = (name: string) => `/subscriptions/${sub}/resourceGroups/${name}`;
/** A production landing zone, as an operator's environment would set it. */
const azureEnv = {
  AZURE_SUBSCRIPTION_ID: sub,
  AZURE_RESOURCE_GROUP: 'rg-azmigrate-prod',
  AZURE_LOCATION: 'northeurope',
  FACTORY_VMWARE_SITES: 'vmware-prod-site',
  FACTORY_TARGET_RESOURCE_GROUP_ID: rg('rg-landing-prod'),
  FACTORY_TARGET_NETWORK_ID: `${rg('rg-net')}/providers/Microsoft.Network/virtualNetworks/vnet-spoke-prod`,
  FACTORY_TARGET_SUBNET: 'snet-apps',
  FACTORY_TEST_NETWORK_ID: `${rg('rg-net')}/providers/Microsoft.Network/virtualNetworks/vnet-spoke-test`,
  FACTORY_CACHE_STORAGE_ACCOUNT_ID: `${rg('rg-azmigrate-prod')}/providers/Microsoft.Storage/storageAccounts/stcacheprod`,
  FACTORY_SQL_MIGRATION_SERVICE_ID: `${rg('rg-dms')}/providers/Microsoft.DataMigration/sqlMigrationServices/sqlms-prod`,
  FACTORY_DMS_SERVICE_ID: `${rg('rg-dms')}/providers/Microsoft.DataMigration/services/dms-prod`,
  FACTORY_DMS_SUBNET_ID: `${rg('rg-net')}/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/dms`,
  FACTORY_DATABASE_TARGET_RESOURCE_GROUP_ID: rg('rg-data-prod'),
};

describe('wave settings and assembleWaveInput', () => {
  let artifacts: WaveArtifacts;
  let workspace: string;
  beforeAll(async () => {
    workspace = await planDemoWorkspace(mkdtempSync(join(tmpdir(), 'mf-wave-input-')));
    artifacts = await loadWorkspaceArtifacts(workspace);
  });

  it('refuses the azure profile with nothing set, naming each missing setting with its flag and variable', () => {
    let error: unknown;
    try {
      resolveWaveSettings({ profile: 'azure', env: {}, databases: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WaveSettingsError);
    const message = (error as Error).message;
    for (const line of [
      'subscriptionId: required for the azure profile (set --subscription or $AZURE_SUBSCRIPTION_ID)',
      'resourceGroup: required for the azure profile (set --resource-group or $AZURE_RESOURCE_GROUP)',
      'targetNetworkId: required for the azure profile (set --target-network or $FACTORY_TARGET_NETWORK_ID)',
      'testNetworkId: required',
      'cacheStorageAccountId: required for the azure profile (set --cache-storage-account or $FACTORY_CACHE_STORAGE_ACCOUNT_ID)',
      'sqlMigrationServiceId: required',
      'dmsServiceId: required',
      'databaseTargetResourceGroupId: required',
    ])
      expect(message).toContain(line);
    expect((error as WaveSettingsError).problems).toHaveLength(12);
  });

  it('asks for migration services only when the wave has databases', () => {
    const { FACTORY_SQL_MIGRATION_SERVICE_ID: _, ...withoutSql } = azureEnv;
    expect(() => resolveWaveSettings({ profile: 'azure', env: withoutSql, databases: false })).not.toThrow();
    expect(() => resolveWaveSettings({ profile: 'azure', env: withoutSql, databases: true })).toThrow(
      /sqlMigrationServiceId: required .*--sql-migration-service/,
    );
  });

  it('names an invalid value and where it came from', () => {
    expect(() =>
      resolveWaveSettings({
        profile: 'azure',
        env: { ...azureEnv, FACTORY_TARGET_NETWORK_ID: 'vnet-spoke-prod' },
        given: { subscriptionId: 'not-a-guid' },
        databases: false,
      }),
    ).toThrow(
      /subscriptionId: must be a subscription id[\s\S]*targetNetworkId: must be the ARM id of a virtual network .*--target-network/,
    );
  });

  it('carries an optional run-as account to the wave target, and names a malformed one', () => {
    const runAs = `/subscriptions/${sub}/resourceGroups/rg-azmigrate-prod/providers/Microsoft.OffAzure/VMwareSites/vmware-prod-site/runAsAccounts/guest-admin`;
    expect(
      resolveWaveSettings({ profile: 'azure', env: azureEnv, databases: false }).target,
    ).not.toHaveProperty('runAsAccountId');
    const settings = resolveWaveSettings({
      profile: 'azure',
      env: { ...azureEnv, FACTORY_RUN_AS_ACCOUNT_ID: runAs },
      databases: true,
    });
    expect(assembleWaveInput(artifacts, 'wave-01', settings, run).target.runAsAccountId).toBe(runAs);
    expect(() =>
      resolveWaveSettings({
        profile: 'azure',
        env: azureEnv,
        given: { runAsAccountId: 'guest-admin' },
        databases: false,
      }),
    ).toThrow(/runAsAccountId: must be the ARM id of an Azure Migrate run-as account.*--run-as-account/);
  });

  it('builds an azure wave with production timings and not one simulator id', () => {
    const settings = resolveWaveSettings({ profile: 'azure', env: azureEnv, databases: true });
    const input = assembleWaveInput(artifacts, 'wave-01', settings, run);
    const text = JSON.stringify(input);
    const simulatorIds = [...Object.values(simulatorDefaults), demoScope.vaultName, 'contoso-vmware-site'];
    for (const id of simulatorIds) expect(text).not.toContain(id);
    expect(input.batchSettings.replicationReportEveryMs).toBe(
      profileTimings.azure.batch.replicationReportEveryMs,
    );
    expect(input.batchSettings.stallAfterMs).toBeGreaterThanOrEqual(3_600_000);
    expect(input.source).toEqual({
      kind: 'plan',
      plan: {
        artifacts: artifacts.pins,
        scope: {
          subscriptionId: sub,
          resourceGroup: 'rg-azmigrate-prod',
          vmwareSites: { 'vcenter01.contoso.local': 'vmware-prod-site' },
        },
      },
    });
    expect(input.databases?.targets).toEqual({ resourceGroupId: rg('rg-data-prod') });
    expect(input.databases?.services.sqlMigrationServiceId).toBe(azureEnv.FACTORY_SQL_MIGRATION_SERVICE_ID);
  });

  it('requires a VMware site per vCenter on the azure profile', () => {
    const settings = resolveWaveSettings({
      profile: 'azure',
      env: { ...azureEnv, FACTORY_VMWARE_SITES: 'vcenter99.fabrikam.local=other-site' },
      databases: true,
    });
    expect(() => assembleWaveInput(artifacts, 'wave-01', settings, run)).toThrow(
      /vmwareSites: no Azure Migrate VMware site for vCenter vcenter01\.contoso\.local/,
    );
  });

  it("on the simulator profile, fills the simulator's ids and includes the wave's databases", () => {
    const settings = resolveWaveSettings({ profile: 'simulator', databases: true });
    const input = assembleWaveInput(artifacts, 'wave-01', settings, run);
    expect(input.target.networkId).toBe(simulatorDefaults.targetNetworkId);
    expect(input.source.kind === 'plan' && input.source.plan.scope.vmwareSites).toEqual({
      'vcenter01.contoso.local': defaultVmwareSiteName('vcenter01.contoso.local'),
    });
    expect(artifacts.plan.waves[0]?.databases.length).toBeGreaterThan(0);
    expect(input.databases?.settings.azureTaskQueue).toBe(input.batchSettings.azureTaskQueue);
  });

  it('refuses a hand-edited plan with one VM in two batches, naming the rule', () => {
    const wave = structuredClone(artifacts.plan.waves[0]!);
    const moved = wave.batches[0]!.bootGroups[0]!.servers[0]!;
    wave.batches[1]!.bootGroups[0]!.servers.push(moved);
    const plan = { ...artifacts.plan, waves: [wave, ...artifacts.plan.waves.slice(1)] };
    const settings = resolveWaveSettings({ profile: 'simulator', databases: true });
    let error: unknown;
    try {
      assembleWaveInput({ ...artifacts, plan }, 'wave-01', settings, run);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WaveRefusedError);
    expect((error as WaveRefusedError).reason).toBe('invalid-plan');
    expect((error as Error).message).toContain('[duplicate-server]');
  });

  it('refuses a plan made from another estate or assessment than the pinned ones', () => {
    const settings = resolveWaveSettings({ profile: 'simulator', databases: true });
    const pins = { ...artifacts.pins, estate: 'f'.repeat(64) };
    expect(() => assembleWaveInput({ ...artifacts, pins }, 'wave-01', settings, run)).toThrow(
      /\[inputs\] the plan was made from estate [0-9a-f]{12}, not the workspace's ffffffffffff/,
    );
  });

  it('refuses an unknown wave', () => {
    const settings = resolveWaveSettings({ profile: 'simulator', databases: false });
    expect(() => assembleWaveInput(artifacts, 'wave-99', settings, run)).toThrow(
      /The plan has no wave wave-99/,
    );
  });

  it('the starter turns notifications on only when its environment configures a channel', async () => {
    const start = (env: NodeJS.ProcessEnv) =>
      resolveWave({ workspace, waveId: 'wave-01', profile: 'simulator', env, run });
    expect((await start({})).input.notifications).toBe(false);
    // A dashboard link alone is no channel; an empty variable is unset (as the workers read it).
    expect(
      (
        await start({
          FACTORY_DASHBOARD_URL: 'https://factory.test',
          FACTORY_NOTIFY_SLACK_URL_SECRET: '',
        })
      ).input.notifications,
    ).toBe(false);
    const reference = 'keyvault:https://kv.vault.azure.net/secrets/notify';
    for (const variable of [
      'FACTORY_NOTIFY_WEBHOOK_URL_SECRET',
      'FACTORY_NOTIFY_TEAMS_URL_SECRET',
      'FACTORY_NOTIFY_SLACK_URL_SECRET',
    ])
      expect((await start({ [variable]: reference })).input.notifications, variable).toBe(true);
    expect(
      (await start({ FACTORY_NOTIFY_SMTP_URL: 'smtp://factory@smtp.test:25' })).input.notifications,
    ).toBe(true);
  });
});
