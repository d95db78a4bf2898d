/**
 * Conformance of the read APIs preflight uses: each `it` names the spec example it compares the
 * simulator's answer with (status, the fields and enum values preflight reads), and the answers of APIs
 * with an installed SDK go through that SDK's model mappers. The requests are the ones the factory sends
 * (`preflightDeps`: the SDK clients' paths and api-versions, core-client for the others).
 */
import * as AuthorizationMappers from '@azure/arm-authorization/dist-esm/src/models/mappers.js';
import * as SiteRecoveryMappers from '@azure/arm-recoveryservices-siterecovery/dist-esm/src/models/mappers.js';
import { RestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preflightApiVersions, type PreflightDeps } from '../../activities/preflight.ts';
import { ArmRest } from '../../activities/arm-rest.ts';
import { demoScope, demoTarget } from '../../domain/demo.ts';
import * as ComputeMappers from '../../node_modules/@azure/arm-compute/dist/esm/models/mappers.js';
import { preflightDeps } from '../../workers/azure.ts';
import { loadWorkerConfig } from '../../workers/config.ts';
import { startTestSimulator, type TestSimulator } from '../simulator/helpers.ts';
import { expectLikeExample, expectMapperAccepts, specExample } from './spec-example.ts';

const target = demoTarget(demoScope);
const sub = `/subscriptions/${demoScope.subscriptionId}`;
const groupId = (name: string) => `${sub}/resourceGroups/${name}`;
const vaultPath = `${groupId(demoScope.resourceGroup)}/providers/Microsoft.RecoveryServices/vaults/${demoScope.vaultName}`;

let t: TestSimulator;
let deps: PreflightDeps;
let rest: ArmRest;

/** The raw answer (status, headers, body) to a GET the factory sends, 4xx included. */
async function get(path: string, apiVersion: string, query = '') {
  try {
    const response = await rest.send('GET', `${rest.url(path, apiVersion)}${query}`);
    return { status: response.status, headers: response.headers, body: response.body as unknown };
  } catch (error) {
    if (!(error instanceof RestError) || !error.response) throw error;
    return {
      status: error.statusCode ?? 0,
      headers: error.response.headers.toJSON(),
      body: JSON.parse(error.response.bodyAsText ?? '{}') as unknown,
    };
  }
}

beforeAll(async () => {
  t = await startTestSimulator();
  deps = preflightDeps(
    loadWorkerConfig({
      FACTORY_PROFILE: 'simulator',
      AZURE_RESOURCE_MANAGER_ENDPOINT: t.sim.endpoint,
      AZURE_CA_CERT: t.sim.caCertPath,
      AZURE_CREDENTIAL: 'local',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
    }),
  );
  rest = new ArmRest(deps.arm, deps.armEndpoint, 100);
});
afterAll(async () => {
  await t.dispose();
});

describe('resource groups (Microsoft.Resources 2021-04-01)', () => {
  it('ResourceGroups_Get: GetResourceGroups.json', async () => {
    const answer = await get(target.resourceGroupId, preflightApiVersions.resourceGroups);
    expectLikeExample(answer, specExample('resources/2021-04-01/GetResourceGroups.json'), {
      shape: ['location'],
    });
    expect(answer.body).toMatchObject({ id: target.resourceGroupId, name: 'rg-contoso-migrated' });
  });

  it('ResourceGroups_Get of a missing group: 404 ResourceGroupNotFound, as ARM answers', async () => {
    const answer = await get(groupId('rg-nowhere'), preflightApiVersions.resourceGroups);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      error: { code: 'ResourceGroupNotFound', message: "Resource group 'rg-nowhere' could not be found." },
    });
  });
});

describe('virtual networks and subnets (Microsoft.Network 2024-03-01)', () => {
  it('VirtualNetworks_Get: VirtualNetworkGet.json', async () => {
    const answer = await get(target.networkId, preflightApiVersions.network);
    expectLikeExample(answer, specExample('network/2024-03-01/VirtualNetworkGet.json'), {
      same: ['type', 'properties.provisioningState', 'properties.subnets[0].properties.provisioningState'],
      shape: [
        'id',
        'name',
        'location',
        'properties.addressSpace.addressPrefixes',
        'properties.subnets[0].id',
        'properties.subnets[0].name',
        'properties.subnets[0].properties.addressPrefix',
        'properties.virtualNetworkPeerings',
      ],
    });
  });

  it('Subnets_Get: SubnetGet.json', async () => {
    const answer = await get(
      `${target.networkId}/subnets/${target.subnetName}`,
      preflightApiVersions.network,
    );
    expectLikeExample(answer, specExample('network/2024-03-01/SubnetGet.json'), {
      same: ['properties.provisioningState'],
      shape: ['id', 'name', 'properties.addressPrefix'],
    });
  });

  it('VirtualNetworks_Get of a missing network: 404 ResourceNotFound; under a missing group: ResourceGroupNotFound', async () => {
    const missing = await get(
      `${groupId('rg-contoso-network')}/providers/Microsoft.Network/virtualNetworks/vnet-nowhere`,
      preflightApiVersions.network,
    );
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'ResourceNotFound' } });
    expect(JSON.stringify(missing.body)).toContain("'Microsoft.Network/virtualNetworks/vnet-nowhere'");
    const noGroup = await get(
      `${groupId('rg-nowhere')}/providers/Microsoft.Network/virtualNetworks/vnet-contoso-prod`,
      preflightApiVersions.network,
    );
    expect(noGroup.body).toMatchObject({ error: { code: 'ResourceGroupNotFound' } });
  });

  it('Subnets_Get after the subnet is deleted: the network provider answers 404 NotFound', async () => {
    const networkId = target.testNetworkId;
    await t.admin.deleteSubnet(networkId, target.subnetName);
    const answer = await get(`${networkId}/subnets/${target.subnetName}`, preflightApiVersions.network);
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: { code: 'NotFound' } });
    const network = await get(networkId, preflightApiVersions.network);
    expect((network.body as { properties: { subnets: unknown[] } }).properties.subnets).toEqual([]);
  });
});

describe('storage accounts (Microsoft.Storage 2023-05-01)', () => {
  it('StorageAccounts_GetProperties: StorageAccountGetProperties.json', async () => {
    const answer = await get(target.logStorageAccountId, preflightApiVersions.storage);
    expectLikeExample(answer, specExample('storage/2023-05-01/StorageAccountGetProperties.json'), {
      same: ['type', 'properties.provisioningState', 'properties.statusOfPrimary', 'sku.tier'],
      shape: [
        'id',
        'name',
        'location',
        'kind',
        'sku.name',
        'tags',
        'properties.creationTime',
        'properties.primaryEndpoints.blob',
        'properties.primaryLocation',
        'properties.encryption.keySource',
        'properties.networkAcls.defaultAction',
      ],
    });
  });

  it('StorageAccounts_GetProperties of a missing account: 404 ResourceNotFound', async () => {
    const answer = await get(
      `${groupId(demoScope.resourceGroup)}/providers/Microsoft.Storage/storageAccounts/nowhere`,
      preflightApiVersions.storage,
    );
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: { code: 'ResourceNotFound' } });
  });
});

describe('compute usages and resource SKUs (@azure/arm-compute 23.3.0)', () => {
  it('Usage_List: Usage_List_MaximumSet_Gen.json, through the SDK and its mappers', async () => {
    const location = demoScope.location;
    const usages = [];
    for await (const usage of deps.compute.usageOperations.list(location)) usages.push(usage);
    expect(usages.map((u) => u.name.value)).toEqual(expect.arrayContaining(['cores', 'standardDSv5Family']));
    const answer = await get(`${sub}/providers/Microsoft.Compute/locations/${location}/usages`, '2025-04-01');
    expectLikeExample(answer, specExample('compute/2025-04-01/Usage_List_MaximumSet_Gen.json'), {
      same: ['value[0].unit'],
      shape: [
        'value[0].currentValue',
        'value[0].limit',
        'value[0].name.value',
        'value[0].name.localizedValue',
      ],
    });
    expectMapperAccepts(ComputeMappers, 'ListUsagesResult', answer.body);

    await t.admin.setQuotaLimit(location, 'standardESv5Family', 12);
    const after = await get(`${sub}/providers/Microsoft.Compute/locations/${location}/usages`, '2025-04-01');
    const family = (after.body as { value: { name: { value: string }; limit: number }[] }).value.find(
      (u) => u.name.value === 'standardESv5Family',
    );
    expect(family?.limit).toBe(12);
  });

  it('ResourceSkus_List: ListAvailableResourceSkusForARegion.json, with its location filter, through the SDK', async () => {
    const skus = [];
    for await (const sku of deps.compute.resourceSkus.list({ filter: `location eq '${demoScope.location}'` }))
      skus.push(sku);
    const d4 = skus.find((s) => s.name === 'Standard_D4s_v5');
    expect(d4).toMatchObject({ resourceType: 'virtualMachines', family: 'standardDSv5Family' });
    expect(d4?.capabilities?.find((c) => c.name === 'vCPUs')?.value).toBe('4');
    const answer = await get(
      `${sub}/providers/Microsoft.Compute/skus`,
      '2021-07-01',
      `&$filter=${encodeURIComponent(`location eq '${demoScope.location}'`)}`,
    );
    expectLikeExample(answer, specExample('compute/2021-07-01/ListAvailableResourceSkusForARegion.json'), {
      same: ['value[0].resourceType', 'value[0].tier'],
      shape: [
        'value[0].name',
        'value[0].size',
        'value[0].family',
        'value[0].locations',
        'value[0].locationInfo[0].location',
        'value[0].locationInfo[0].zones',
        'value[0].capabilities[0].name',
        'value[0].capabilities[0].value',
      ],
    });
    expectMapperAccepts(ComputeMappers, 'ResourceSkusResult', answer.body);
  });
});

describe('permissions (@azure/arm-authorization 9.0.0, api-version 2022-04-01)', () => {
  it('Permissions_ListForResourceGroup: GetPermissions.json, through the SDK and its mappers', async () => {
    const permissions = [];
    for await (const p of deps.authorization.permissions.listForResourceGroup(demoScope.resourceGroup))
      permissions.push(p);
    expect(permissions.map((p) => p.actions)).toEqual([['*']]);
    expect(permissions[0]?.notActions).toContain('Microsoft.Authorization/*/Write');
    const answer = await get(
      `${groupId(demoScope.resourceGroup)}/providers/Microsoft.Authorization/permissions`,
      '2022-04-01',
    );
    expectLikeExample(answer, specExample('authorization/2018-01-01-preview/GetPermissions.json'), {
      shape: ['value[0].actions', 'value[0].notActions', 'value[0].dataActions', 'value[0].notDataActions'],
    });
    expectMapperAccepts(AuthorizationMappers, 'PermissionGetResult', answer.body);
  });

  it('Permissions_ListForResourceGroup reflects a scope whose permissions an admin replaced', async () => {
    const scope = groupId('rg-contoso-data');
    await t.admin.setPermissions(
      scope,
      [{ actions: ['Microsoft.DataMigration/*/read'] }],
      'migration-factory-worker',
    );
    const answer = await get(`${scope}/providers/Microsoft.Authorization/permissions`, '2022-04-01');
    expect((answer.body as { value: { actions: string[] }[] }).value.map((p) => p.actions)).toEqual([
      ['*'],
      ['Microsoft.DataMigration/*/read'],
    ]);
    await t.admin.setPermissions(scope, [], 'migration-factory-worker');
  });
});

describe('vault health (Site Recovery 2023-06-01)', () => {
  it('ReplicationVaultHealth_Get: ReplicationVaultHealth_Get.json, through the SDK and its mappers', async () => {
    const health = await deps.siteRecovery.replicationVaultHealth.get(
      demoScope.vaultName,
      demoScope.resourceGroup,
    );
    expect(health.properties?.fabricsHealth?.resourceCount).toBe(1);
    const answer = await get(`${vaultPath}/replicationVaultHealth`, '2023-06-01');
    expectLikeExample(answer, specExample('site-recovery/2023-06-01/ReplicationVaultHealth_Get.json'), {
      same: ['name', 'type', 'properties.vaultErrors'],
      shape: [
        'id',
        'properties.protectedItemsHealth.resourceCount',
        'properties.protectedItemsHealth.issues',
        'properties.fabricsHealth.resourceCount',
        'properties.fabricsHealth.issues',
      ],
    });
    expectMapperAccepts(SiteRecoveryMappers, 'VaultHealthDetails', answer.body);
  });
});
