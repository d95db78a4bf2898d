import { request as httpsRequest } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { SiteRecoveryManagementClient } from '@azure/arm-recoveryservices-siterecovery';
import { isRestError, type RestError } from '@azure/core-rest-pipeline';
import { expect } from 'vitest';
import { azureErrorCode } from '../../activities/azure-errors.ts';
import { demoScope, demoSite } from '../../domain/demo.ts';
import { discoveredMachineId, type SourceSite } from '../../domain/estate.ts';
import { SimulatorAdmin, type SeedResult } from '../../simulators/admin-client.ts';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulators/index.ts';

export const scope = demoScope;
export const targetResourceGroupId = `/subscriptions/${scope.subscriptionId}/resourceGroups/rg-migrated-workloads`;
export const targetNetworkId = `${targetResourceGroupId}/providers/Microsoft.Network/virtualNetworks/vnet-target`;
export const testNetworkId = `${targetResourceGroupId}/providers/Microsoft.Network/virtualNetworks/vnet-test`;

/** An unsigned JWT (`alg: none`) carrying the principal (`oid`) and tenant (`tid`). */
export function unsignedJwt(principal: string, tenantId = '11111111-2222-3333-4444-555555555555'): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ oid: principal, tid: tenantId })}.`;
}

export function localCredential(principal = 'contract-test-principal'): TokenCredential {
  return {
    getToken: (): Promise<AccessToken> =>
      Promise.resolve({ token: unsignedJwt(principal), expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
}

/** The SDK options that make the real client talk to the simulator (see docs/simulator.md). */
export function siteRecoveryClient(
  sim: RunningSimulator,
  options: { principal?: string; maxRetries?: number } = {},
): SiteRecoveryManagementClient {
  return new SiteRecoveryManagementClient(localCredential(options.principal), scope.subscriptionId, {
    endpoint: sim.endpoint,
    credentialScopes: 'https://management.azure.com/.default',
    tlsOptions: { ca: sim.caCertPem },
    ...(options.maxRetries === undefined ? {} : { retryOptions: { maxRetries: options.maxRetries } }),
  });
}

/** Fast LRO polling for tests: the simulator's Retry-After is 0 at high speed. */
export const poll = { updateIntervalInMs: 20 };

export interface TestSimulator {
  sim: RunningSimulator;
  admin: SimulatorAdmin;
  client: SiteRecoveryManagementClient;
  seed: SeedResult;
  site: SourceSite;
  stateDir: string;
  restart(options?: Partial<SimulatorOptions>): Promise<void>;
  dispose(): Promise<void>;
}

export async function startTestSimulator(
  options: Partial<SimulatorOptions> & { site?: SourceSite } = {},
): Promise<TestSimulator> {
  const stateDir = await mkdtemp(path.join(tmpdir(), 'mf-sim-'));
  const site = options.site ?? demoSite();
  const { site: _site, ...simOptions } = options;
  const start = (extra: Partial<SimulatorOptions> = {}) =>
    startSimulator({ stateDir, speed: 20_000, throttling: false, ...simOptions, ...extra });
  const sim = await start();
  const admin = new SimulatorAdmin(sim.endpoint, sim.caCertPem);
  const seed = await admin.seed(scope, site);
  const context: TestSimulator = {
    sim,
    admin,
    client: siteRecoveryClient(sim),
    seed,
    site,
    stateDir,
    async restart(extra = {}) {
      await context.sim.close();
      context.sim = await start({ port: context.sim.port, ...extra });
      context.admin = new SimulatorAdmin(context.sim.endpoint, context.sim.caCertPem);
      context.client = siteRecoveryClient(context.sim);
    },
    async dispose() {
      await context.sim.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  return context;
}

export const machineIdOf = (site: SourceSite, vmName: string): string => {
  const vm = site.vms.find((candidate) => candidate.name === vmName);
  if (!vm) throw new Error(`no VM ${vmName} in the site`);
  return discoveredMachineId(scope.subscriptionId, scope.resourceGroup, site, vm);
};

/** InMageRcm enable input for one VM of the seeded site. */
export function enableInput(t: TestSimulator, vmName: string, applianceIndex = 0) {
  const processServer = t.seed.processServers[applianceIndex % t.seed.processServers.length];
  if (!processServer) throw new Error('seeded fabric has no process servers');
  return {
    properties: {
      policyId: t.seed.policyId,
      providerSpecificDetails: {
        instanceType: 'InMageRcm' as const,
        fabricDiscoveryMachineId: machineIdOf(t.site, vmName),
        processServerId: processServer.id,
        targetResourceGroupId,
        targetNetworkId,
        testNetworkId,
        targetSubnetName: 'default',
        testSubnetName: 'default',
        targetVmName: vmName,
        licenseType: 'NoLicenseType',
        disksDefault: {
          diskType: 'Standard_LRS',
          logStorageAccountId: `${targetResourceGroupId}/providers/Microsoft.Storage/storageAccounts/cachesa01`,
        },
      },
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A plain HTTPS call to the simulator (for what the SDK would never send: no token, bad api-version). */
export function rawRequest(
  sim: RunningSimulator,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<RawResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, sim.endpoint),
      {
        method,
        ca: sim.caCertPem,
        agent: false,
        headers: {
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text ? (JSON.parse(text) as unknown) : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** A site of `count` small VMs on one appliance (paging and throttling tests). */
export function bulkSite(count: number): SourceSite {
  const base = demoSite();
  return {
    ...base,
    vmwareSiteName: 'bulk-vmware-site',
    appliances: [{ name: 'bulk-appliance-01', bandwidthMbps: 1000 }],
    vms: Array.from({ length: count }, (_, index) => ({
      name: `bulk-${String(index + 1).padStart(3, '0')}`,
      uuid: `00000000-0000-4000-a000-${String(index + 1).padStart(12, '0')}`,
      os: 'Ubuntu 22.04',
      cpus: 2,
      memoryMiB: 4096,
      disks: [{ id: '2000', sizeGiB: 64, usedGiB: 16 }],
      churnMiBPerDay: 2000,
      application: 'bulk',
      tier: 'app' as const,
    })),
  };
}

export const armPath = (suffix: string) =>
  `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${scope.vaultName}${suffix}`;

/**
 * The call fails with this status and Site Recovery's specific code, read from `error.details[]` the way
 * the factory reads it (`azureErrorCode`); the top-level code is the generic one for the status.
 */
export async function expectAzureError(
  call: Promise<unknown>,
  expected: { status: number; code: string; message?: RegExp },
): Promise<RestError> {
  const error = await call.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!isRestError(error)) throw new Error(`expected a RestError, got ${String(error)}`);
  expect({ status: error.statusCode, code: azureErrorCode(error) }).toEqual({
    status: expected.status,
    code: expected.code,
  });
  if (expected.message) expect(error.message).toMatch(expected.message);
  return error;
}
