/** Builds the Azure SDK clients the activities use: one pipeline, one credential, optional extra CA. */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ComputeManagementClient } from '@azure/arm-compute';
import { DataMigrationServiceClient } from '@azure/arm-datamigration';
import { SiteRecoveryManagementClient } from '@azure/arm-recoveryservices-siterecovery';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { ServiceClient } from '@azure/core-client';
import { DefaultAzureCredential } from '@azure/identity';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { PreflightDeps } from '../activities/preflight.ts';
import type { SiteRecoveryDeps } from '../activities/site-recovery.ts';
import type { Pipeline } from '@azure/core-rest-pipeline';
import {
  attemptCallPolicy,
  attemptCallRequestPolicyFactory,
  requestProgressPolicy,
  requestProgressRequestPolicyFactory,
} from '../activities/liveness.ts';
import {
  armBudget,
  armBudgetPolicy,
  armBudgetPolicyName,
  armBudgetRequestPolicyFactory,
  type ArmBudget,
} from './arm-budget.ts';
import type { WorkerMetrics } from './arm-metrics.ts';
import type { WorkerConfig } from './config.ts';

/**
 * A credential for a local ARM endpoint (the simulator): an unsigned JWT naming the principal, which the
 * endpoint uses for throttling buckets and its audit log. Never accepted by real Azure.
 */
export class LocalTokenCredential implements TokenCredential {
  constructor(private readonly principal: string) {}

  /** The audience is the scope's resource (ARM, or Key Vault's `https://vault.azure.net`), as Entra ID issues it. */
  getToken(scopes: string | string[]): Promise<AccessToken> {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const expiresOnTimestamp = Date.now() + 3600_000;
    const scope = (Array.isArray(scopes) ? scopes[0] : scopes) ?? 'https://management.azure.com/.default';
    const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
      oid: this.principal,
      tid: 'local',
      aud: scope.replace(/\/\.default$/, '/'),
      exp: Math.floor(expiresOnTimestamp / 1000),
    })}.`;
    return Promise.resolve({ token, expiresOnTimestamp });
  }
}

export function createCredential(config: WorkerConfig): TokenCredential {
  return config.AZURE_CREDENTIAL === 'local'
    ? new LocalTokenCredential(config.AZURE_LOCAL_PRINCIPAL)
    : new DefaultAzureCredential();
}

const extraCa = (config: WorkerConfig) =>
  config.AZURE_CA_CERT ? readFileSync(config.AZURE_CA_CERT, 'utf8') : undefined;

/**
 * The budget (after the SDK's retries) and the liveness policies (`activities/liveness.ts`): the whole
 * call outermost, each try next to the wire.
 */
function addArmPolicies(pipeline: Pipeline, budget: ArmBudget): void {
  pipeline.addPolicy(attemptCallPolicy);
  pipeline.addPolicy(armBudgetPolicy(budget), { afterPhase: 'Retry' });
  pipeline.addPolicy(requestProgressPolicy, { afterPhase: 'Retry', afterPolicies: [armBudgetPolicyName] });
}

/**
 * One per worker process: every ARM client of the worker spends the same share of the principal's budget
 * (and counts its requests in the worker's metrics, when given).
 */
export const workerArmBudget = (config: WorkerConfig, metrics?: WorkerMetrics): ArmBudget =>
  armBudget(
    {
      reads: config.AZURE_ARM_READS_PER_SECOND,
      writes: config.AZURE_ARM_WRITES_PER_SECOND,
      deletes: config.AZURE_ARM_DELETES_PER_SECOND,
    },
    metrics,
  );

function createSiteRecoveryClient(
  config: WorkerConfig,
  credential: TokenCredential,
  budget: ArmBudget,
): SiteRecoveryManagementClient {
  const ca = extraCa(config);
  const client = new SiteRecoveryManagementClient(credential, config.AZURE_SUBSCRIPTION_ID, {
    endpoint: config.AZURE_RESOURCE_MANAGER_ENDPOINT,
    credentialScopes: 'https://management.azure.com/.default',
    ...(ca ? { tlsOptions: { ca } } : {}),
  });
  addArmPolicies(client.pipeline, budget);
  return client;
}

/** Site Recovery activity dependencies from the worker configuration. */
export function siteRecoveryDeps(
  config: WorkerConfig,
  credential: TokenCredential = createCredential(config),
  budget: ArmBudget = workerArmBudget(config),
): SiteRecoveryDeps {
  return {
    client: createSiteRecoveryClient(config, credential, budget),
    armEndpoint: config.AZURE_RESOURCE_MANAGER_ENDPOINT,
    subscriptionId: config.AZURE_SUBSCRIPTION_ID,
    resourceGroup: config.AZURE_RESOURCE_GROUP,
    vaultName: config.AZURE_VAULT_NAME,
    pollIntervalMs: config.AZURE_LRO_POLL_MS,
    // A tenth of the worker's reads: replication polls share listings, per-VM calls keep the rest.
    listingPagesPerSecond: config.AZURE_ARM_READS_PER_SECOND / 10,
  };
}

/**
 * A core-client `ServiceClient` for ARM APIs the registry's SDKs lack (the SQL migration API 2025-06-30,
 * target tier scaling): the same credential, scopes, retry policy and extra CA as the generated clients.
 */
export function createArmServiceClient(
  config: WorkerConfig,
  credential: TokenCredential = createCredential(config),
  budget: ArmBudget = workerArmBudget(config),
): ServiceClient {
  const ca = extraCa(config);
  const client = new ServiceClient({
    endpoint: config.AZURE_RESOURCE_MANAGER_ENDPOINT,
    credential,
    credentialScopes: 'https://management.azure.com/.default',
    ...(ca ? { tlsOptions: { ca } } : {}),
  });
  addArmPolicies(client.pipeline, budget);
  return client;
}

/**
 * The classic DMS client (`@azure/arm-datamigration` 2.1.1, ms-rest-js). It takes no TLS options: an
 * https agent trusts the extra CA. Its own LRO wait polls every `longRunningOperationRetryTimeout`
 * seconds (default 30, overriding Retry-After); the factory's poll interval is used instead.
 */
export function createDataMigrationClient(
  config: WorkerConfig,
  credential: TokenCredential = createCredential(config),
  budget: ArmBudget = workerArmBudget(config),
): DataMigrationServiceClient {
  const ca = extraCa(config);
  return new DataMigrationServiceClient(credential, config.AZURE_SUBSCRIPTION_ID, {
    baseUri: config.AZURE_RESOURCE_MANAGER_ENDPOINT,
    longRunningOperationRetryTimeout: config.AZURE_LRO_POLL_MS / 1000,
    requestPolicyFactories: (defaults) => [
      attemptCallRequestPolicyFactory,
      ...defaults,
      armBudgetRequestPolicyFactory(budget),
      requestProgressRequestPolicyFactory,
    ],
    ...(ca
      ? { agentSettings: { https: new HttpsAgent({ ca, keepAlive: true }), http: new HttpAgent() } }
      : {}),
  });
}

/**
 * Preflight's readers (activities/preflight.ts): Site Recovery, compute usages and SKUs, permissions and a
 * core-client client, on the worker's (or the CLI's) credential, pipeline and ARM budget.
 */
export function preflightDeps(
  config: WorkerConfig,
  credential: TokenCredential = createCredential(config),
  budget: ArmBudget = workerArmBudget(config),
): PreflightDeps {
  const ca = extraCa(config);
  const options = {
    endpoint: config.AZURE_RESOURCE_MANAGER_ENDPOINT,
    credentialScopes: 'https://management.azure.com/.default',
    ...(ca ? { tlsOptions: { ca } } : {}),
  };
  const compute = new ComputeManagementClient(credential, config.AZURE_SUBSCRIPTION_ID, options);
  addArmPolicies(compute.pipeline, budget);
  const authorization = new AuthorizationManagementClient(credential, config.AZURE_SUBSCRIPTION_ID, options);
  addArmPolicies(authorization.pipeline, budget);
  return {
    siteRecovery: createSiteRecoveryClient(config, credential, budget),
    compute,
    authorization,
    arm: createArmServiceClient(config, credential, budget),
    armEndpoint: config.AZURE_RESOURCE_MANAGER_ENDPOINT,
    subscriptionId: config.AZURE_SUBSCRIPTION_ID,
    resourceGroup: config.AZURE_RESOURCE_GROUP,
    vaultName: config.AZURE_VAULT_NAME,
  };
}
