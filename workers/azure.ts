/** Builds the Azure SDK clients the activities use: one pipeline, one credential, optional extra CA. */
import { SiteRecoveryManagementClient } from '@azure/arm-recoveryservices-siterecovery';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { readFileSync } from 'node:fs';
import type { WorkerConfig } from './config.ts';

/**
 * A credential for a local ARM endpoint (the simulator): an unsigned JWT naming the principal, which the
 * endpoint uses for throttling buckets and its audit log. Never accepted by real Azure.
 */
export class LocalTokenCredential implements TokenCredential {
  constructor(private readonly principal: string) {}

  getToken(): Promise<AccessToken> {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const expiresOnTimestamp = Date.now() + 3600_000;
    const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
      oid: this.principal,
      tid: 'local',
      aud: 'https://management.azure.com/',
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

export function createSiteRecoveryClient(
  config: WorkerConfig,
  credential: TokenCredential = createCredential(config),
): SiteRecoveryManagementClient {
  const ca = config.AZURE_CA_CERT ? readFileSync(config.AZURE_CA_CERT, 'utf8') : undefined;
  return new SiteRecoveryManagementClient(credential, config.AZURE_SUBSCRIPTION_ID, {
    endpoint: config.AZURE_RESOURCE_MANAGER_ENDPOINT,
    credentialScopes: 'https://management.azure.com/.default',
    ...(ca ? { tlsOptions: { ca } } : {}),
  });
}
