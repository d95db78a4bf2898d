/**
 * Resolves the worker's Key Vault references at start-up (one read per secret, then cached for the life of
 * the process): the vCenter password, the backup share's password and every database server's login.
 */
import type { TokenCredential } from '@azure/core-auth';
import { readFileSync } from 'node:fs';
import type { DatabaseConnectionSettings } from '../activities/data-migration.ts';
import type { WorkerConfig } from './config.ts';
import {
  databaseServerSecrets,
  resolvedDatabaseServers,
  trustedWithoutVerification,
} from './database-servers.ts';
import { resolveSecrets, type SecretRequest } from './secrets.ts';

export interface WorkerSecrets {
  /** Empty when no vCenter is configured (the source-platform activities then refuse to run). */
  vcenterPassword: string;
  connections: DatabaseConnectionSettings;
  /** `sources.<server>` / `targets.<server>` entries that accept certificates unverified (logged). */
  trustedWithoutVerification: string[];
  /** Every resolved value, for tests that search histories and logs for them. */
  values(): string[];
}

export async function resolveWorkerSecrets(
  config: WorkerConfig,
  credential: TokenCredential,
): Promise<WorkerSecrets> {
  const { vcenterPassword, backupSharePassword, databaseServers } = config.secrets;
  const requests: SecretRequest[] = [
    ...(vcenterPassword ? [{ reference: vcenterPassword, setting: 'VCENTER_PASSWORD_SECRET' }] : []),
    ...(backupSharePassword
      ? [{ reference: backupSharePassword, setting: 'DMS_BACKUP_FILE_SHARE_PASSWORD_SECRET' }]
      : []),
    ...(databaseServers ? databaseServerSecrets(databaseServers) : []),
  ];
  const secrets = await resolveSecrets(requests, {
    credential,
    ...(config.AZURE_CA_CERT ? { ca: readFileSync(config.AZURE_CA_CERT, 'utf8') } : {}),
    // The simulator's vault is https://127.0.0.1:<port>, not a subdomain of vault.azure.net.
    disableChallengeResourceVerification: config.FACTORY_PROFILE === 'simulator',
  });
  return {
    vcenterPassword: vcenterPassword ? secrets.get(vcenterPassword) : '',
    connections: {
      servers: resolvedDatabaseServers(databaseServers, secrets),
      ...(config.DMS_BACKUP_FILE_SHARE
        ? {
            backupFileShare: {
              path: config.DMS_BACKUP_FILE_SHARE,
              username: config.DMS_BACKUP_FILE_SHARE_USERNAME ?? '',
              password: backupSharePassword ? secrets.get(backupSharePassword) : '',
            },
          }
        : {}),
      ...(config.DMS_BACKUP_STORAGE_ACCOUNT_ID
        ? { backupStorageAccountId: config.DMS_BACKUP_STORAGE_ACCOUNT_ID }
        : {}),
    },
    trustedWithoutVerification: databaseServers ? trustedWithoutVerification(databaseServers) : [],
    values: () => secrets.values(),
  };
}
