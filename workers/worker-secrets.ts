/**
 * Resolves the worker's Key Vault references at start-up (one read per secret, then cached for the life of
 * the process): the vCenter password, the backup share's password, every database server's login and the
 * notification channels' webhook URLs and SMTP password.
 */
import type { TokenCredential } from '@azure/core-auth';
import { readFileSync } from 'node:fs';
import type { DatabaseConnectionSettings } from '../activities/data-migration.ts';
import type { NotificationSettings } from '../activities/notify.ts';
import { notificationSecretSettings, type NotificationReferences, type WorkerConfig } from './config.ts';
import {
  databaseServerSecrets,
  resolvedDatabaseServers,
  trustedWithoutVerification,
} from './database-servers.ts';
import {
  describeReference,
  resolveSecrets,
  SecretReferenceError,
  type ResolvedSecrets,
  type SecretRequest,
} from './secrets.ts';

export interface WorkerSecrets {
  /** Empty when no vCenter is configured (the source-platform activities then refuse to run). */
  vcenterPassword: string;
  connections: DatabaseConnectionSettings;
  /** `sources.<server>` / `targets.<server>` entries that accept certificates unverified (logged). */
  trustedWithoutVerification: string[];
  /** The notification channels with their secrets; undefined when none is configured. */
  notifications?: NotificationSettings;
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
    ...(config.notifications ? notificationSecretRequests(config.notifications) : []),
  ];
  const secrets = await resolveSecrets(requests, {
    credential,
    ...(config.AZURE_CA_CERT ? { ca: readFileSync(config.AZURE_CA_CERT, 'utf8') } : {}),
    // The simulator's vault is https://127.0.0.1:<port>, not a subdomain of vault.azure.net.
    disableChallengeResourceVerification: config.FACTORY_PROFILE === 'simulator',
  });
  const notifications = config.notifications
    ? resolvedNotifications(config.notifications, secrets)
    : undefined;
  return {
    ...(notifications ? { notifications } : {}),
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

const webhookChannels = ['webhookUrl', 'teamsUrl', 'slackUrl'] as const;

function notificationSecretRequests(settings: NotificationReferences): SecretRequest[] {
  return [
    ...webhookChannels.flatMap((channel) => {
      const reference = settings[channel];
      return reference ? [{ reference, setting: notificationSecretSettings[channel] }] : [];
    }),
    ...(settings.smtp?.password
      ? [{ reference: settings.smtp.password, setting: notificationSecretSettings.smtpPassword }]
      : []),
  ];
}

/**
 * The channels with their secret values. A webhook secret must hold an http(s) URL: checked here, at start-up,
 * and reported by reference (the value is the credential, so it never appears in the error).
 */
function resolvedNotifications(
  settings: NotificationReferences,
  secrets: ResolvedSecrets,
): NotificationSettings {
  const problems: string[] = [];
  const urls: Partial<Record<(typeof webhookChannels)[number], string>> = {};
  for (const channel of webhookChannels) {
    const reference = settings[channel];
    if (!reference) continue;
    const value = secrets.get(reference).trim();
    if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
      problems.push(
        `${describeReference(reference)} (${notificationSecretSettings[channel]}): the secret is not an http(s) URL`,
      );
    else urls[channel] = value;
  }
  if (problems.length > 0)
    throw new SecretReferenceError(
      `Cannot use the worker's notification secrets:\n${problems.map((problem) => `  ${problem}`).join('\n')}`,
    );
  if (!settings.smtp) return { dashboardUrl: settings.dashboardUrl, ...urls };
  const { password, ...smtp } = settings.smtp;
  return {
    dashboardUrl: settings.dashboardUrl,
    ...urls,
    smtp: { ...smtp, ...(password ? { password: secrets.get(password) } : {}) },
  };
}
