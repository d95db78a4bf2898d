/**
 * Worker configuration from the environment, validated once at start-up. `FACTORY_PROFILE` decides what
 * may be assumed: `simulator` fills the simulator's subscription, vault and artifact store (Azurite);
 * `azure` (the default) requires them and refuses the simulator's unsigned-token credential.
 */
import { z } from 'zod';
import { settingsProfiles } from '../contracts/wave-settings.ts';
import { TASK_QUEUES } from '../contracts/task-queues.ts';
import { demoScope } from '../domain/demo.ts';
import { simulatorArtifactStore } from '../workspace/artifact-store.ts';
import type { SmtpSettings } from '../activities/notify.ts';
import { notificationChannels, type NotificationChannel } from '../contracts/notifications.ts';
import { logLevels } from './log.ts';
import { loadDatabaseServers, type DatabaseServersSettings } from './database-servers.ts';
import { parseSecretReference, type SecretReference } from './secrets.ts';
import {
  resolveTemporalConnection,
  TemporalConfigError,
  type TemporalConnectionSettings,
} from './temporal-connection.ts';
import { codecKeySource, CodecConfigError, type CodecKeySource } from './codec-keys.ts';

const positiveInt = z.coerce.number().int().positive();
/** Compose passes unset variables as empty strings: empty counts as unset. */
const unsetIfEmpty = <T extends z.ZodType>(inner: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), inner.optional());
const positiveNumber = z.coerce.number().positive();

const schema = z.object({
  FACTORY_PROFILE: z.enum(settingsProfiles).default('azure'),
  FACTORY_TASK_QUEUE: z.string().default(TASK_QUEUES.workflows),
  FACTORY_AZURE_TASK_QUEUE: z.string().default(TASK_QUEUES.azure),
  AZURE_RESOURCE_MANAGER_ENDPOINT: z.url({ protocol: /^https$/ }).default('https://management.azure.com'),
  /** PEM file of an extra CA to trust for ARM (the simulator's generated CA). */
  AZURE_CA_CERT: z.string().optional(),
  /** `default` = DefaultAzureCredential; `local` = an unsigned token for the simulator. */
  AZURE_CREDENTIAL: z.enum(['default', 'local']).default('default'),
  AZURE_LOCAL_PRINCIPAL: z.string().default('migration-factory-worker'),
  /** The Recovery Services vault the Site Recovery activities use, and its subscription and resource group. */
  AZURE_SUBSCRIPTION_ID: z.string().optional(),
  AZURE_RESOURCE_GROUP: z.string().optional(),
  AZURE_VAULT_NAME: z.string().optional(),
  /** Where the waves' pinned plans, estates and assessments are (see workspace/artifact-store.ts). */
  FACTORY_ARTIFACTS_CONNECTION_STRING: z.string().optional(),
  FACTORY_ARTIFACTS_URL: z.url({ protocol: /^https$/ }).optional(),
  FACTORY_ARTIFACTS_CONTAINER: z.string().optional(),
  /** How often an LRO poller re-reads an operation when Azure sends no Retry-After. */
  AZURE_LRO_POLL_MS: positiveInt.default(2000),
  /**
   * ARM requests this worker sends per second, by ARM's throttling bucket. ARM refills 25 reads and 10
   * writes and deletes per second per principal: give each of N workers about 1/N of that.
   */
  AZURE_ARM_READS_PER_SECOND: positiveNumber.default(20),
  AZURE_ARM_WRITES_PER_SECOND: positiveNumber.default(8),
  AZURE_ARM_DELETES_PER_SECOND: positiveNumber.default(8),
  /** Task-queue-wide ceiling on ARM activity starts per second (ARM write bucket refills 10/s). */
  AZURE_ACTIVITIES_PER_SECOND: positiveInt.default(8),
  /**
   * Azure activities one worker runs at once. Replication and database polls hold a slot while they wait
   * for a change, so this must exceed the batches and databases in flight; they mostly sleep.
   */
  AZURE_MAX_CONCURRENT_ACTIVITIES: positiveInt.default(1000),
  /** vSphere Automation API of the source vCenter (rollback powers source VMs back on). */
  VCENTER_URL: z.url({ protocol: /^https$/ }).optional(),
  VCENTER_USERNAME: z.string().default('administrator@vsphere.local'),
  /** Key Vault reference to the vCenter password (workers/secrets.ts), read at start-up. */
  VCENTER_PASSWORD_SECRET: unsetIfEmpty(z.string()),
  VCENTER_CA_CERT: z.string().optional(),
  /**
   * Per database server: the login (password as a Key Vault reference) and certificate handling; a JSON
   * file or the JSON itself (workers/database-servers.ts).
   */
  FACTORY_DATABASE_SERVERS: unsetIfEmpty(z.string()),
  /** UNC share the SQL Server backups are written to, and the storage account they are uploaded to (MI/VM). */
  DMS_BACKUP_FILE_SHARE: z.string().optional(),
  /** The Windows account the self-hosted integration runtime reads the backup share with (password: a reference). */
  DMS_BACKUP_FILE_SHARE_USERNAME: z.string().optional(),
  DMS_BACKUP_FILE_SHARE_PASSWORD_SECRET: unsetIfEmpty(z.string()),
  DMS_BACKUP_STORAGE_ACCOUNT_ID: z.string().optional(),
  /** Log level of the worker's JSON log lines (docs/observability.md). */
  FACTORY_LOG_LEVEL: z.enum(logLevels).default('info'),
  /**
   * Prometheus endpoint (`/metrics`) of the worker: the factory's metrics and the Temporal SDK's. Unset = no
   * endpoint; 0 = a free port (logged at start-up).
   */
  FACTORY_METRICS_PORT: unsetIfEmpty(z.coerce.number().int().min(0).max(65535)),
  /** The interface the endpoint listens on: loopback unless a scraper elsewhere needs it. */
  FACTORY_METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /**
   * Loopback port of the SDK's own Prometheus exporter, which the endpoint reads and appends; unset = a free
   * port chosen at start-up. Never published: scrape FACTORY_METRICS_PORT.
   */
  FACTORY_METRICS_TEMPORAL_PORT: unsetIfEmpty(z.coerce.number().int().min(1).max(65535)),
  /** How long one validation probe (HTTP or TCP) may take. */
  VALIDATION_TIMEOUT_MS: positiveInt.default(5000),
  /** The dashboard notifications link to (`<url>/waves/<waveId>`, `<url>/batches/<batchId>`). */
  FACTORY_DASHBOARD_URL: unsetIfEmpty(z.url({ protocol: /^https?$/ })),
  /**
   * Notification channels (docs/notifications.md); none set = no notifications. The webhook URLs carry their
   * credentials, so they are Key Vault references (workers/secrets.ts), resolved when the workers start.
   */
  FACTORY_NOTIFY_WEBHOOK_URL_SECRET: unsetIfEmpty(z.string()),
  FACTORY_NOTIFY_TEAMS_URL_SECRET: unsetIfEmpty(z.string()),
  FACTORY_NOTIFY_SLACK_URL_SECRET: unsetIfEmpty(z.string()),
  /** smtp://user@host:port or smtps://…; no secret in it: the password is FACTORY_NOTIFY_SMTP_PASSWORD_SECRET. */
  FACTORY_NOTIFY_SMTP_URL: unsetIfEmpty(z.url({ protocol: /^smtps?$/ })),
  FACTORY_NOTIFY_SMTP_PASSWORD_SECRET: unsetIfEmpty(z.string()),
  FACTORY_NOTIFY_EMAIL_FROM: unsetIfEmpty(z.email()),
  /** Comma-separated recipients. */
  FACTORY_NOTIFY_EMAIL_TO: unsetIfEmpty(z.string()),
});

type ParsedConfig = z.infer<typeof schema>;

/**
 * Variables that once held secret values, with what replaced them: refused on every profile, so that a value
 * left in an env file is noticed (docker-compose.yml's test checks no service sets one).
 */
export const refusedSecretValueVariables: Readonly<Record<string, string>> = {
  VCENTER_PASSWORD: 'VCENTER_PASSWORD_SECRET',
  DMS_SOURCE_PASSWORD: 'FACTORY_DATABASE_SERVERS (sources.<server>.login.password)',
  DMS_TARGET_PASSWORD: 'FACTORY_DATABASE_SERVERS (targets.<server>.login.password)',
  DMS_BACKUP_FILE_SHARE_PASSWORD: 'DMS_BACKUP_FILE_SHARE_PASSWORD_SECRET',
  FACTORY_NOTIFY_WEBHOOK_URL: 'FACTORY_NOTIFY_WEBHOOK_URL_SECRET',
  FACTORY_NOTIFY_TEAMS_URL: 'FACTORY_NOTIFY_TEAMS_URL_SECRET',
  FACTORY_NOTIFY_SLACK_URL: 'FACTORY_NOTIFY_SLACK_URL_SECRET',
  FACTORY_NOTIFY_SMTP_PASSWORD: 'FACTORY_NOTIFY_SMTP_PASSWORD_SECRET',
};

/** The notification variables of an environment: what the embedded stack passes on to its workers. */
export function notificationEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] =>
        /^FACTORY_(DASHBOARD_URL$|NOTIFY_)/.test(entry[0]) && typeof entry[1] === 'string',
    ),
  );
}
/** The variables that each configure a notification channel. */
export const notificationChannelVariables = [
  'FACTORY_NOTIFY_WEBHOOK_URL_SECRET',
  'FACTORY_NOTIFY_TEAMS_URL_SECRET',
  'FACTORY_NOTIFY_SLACK_URL_SECRET',
  'FACTORY_NOTIFY_SMTP_URL',
] as const;

/**
 * Whether an environment configures at least one notification channel: what a wave's starter puts in
 * its input (`notifications`), so a factory without channels starts no notification workflows at all.
 */
export function notificationsConfigured(env: NodeJS.ProcessEnv): boolean {
  return notificationChannelVariables.some((name) => (env[name] ?? '') !== '');
}

/**
 * `temporal`: the connection, from TEMPORAL_* variables and the Temporal config file, as the CLI reads it.
 * `notifications`: the channels, when at least one is configured.
 * `codec`: where the payload encryption keys come from (workers/codec-keys.ts), read when the workers start.
 */
export type WorkerConfig = ParsedConfig &
  Required<Pick<ParsedConfig, 'AZURE_SUBSCRIPTION_ID' | 'AZURE_RESOURCE_GROUP' | 'AZURE_VAULT_NAME'>> & {
    temporal: TemporalConnectionSettings;
    codec: CodecKeySource;
    notifications?: NotificationReferences;
    /** Key Vault references, resolved when the workers start (workers/run.ts). */
    secrets: WorkerSecretSettings;
  };

/**
 * The notification channels as configured: the secret parts (webhook URLs, SMTP password) as Key Vault
 * references, resolved into `NotificationSettings` when the workers start (workers/worker-secrets.ts).
 */
export interface NotificationReferences {
  dashboardUrl: string;
  webhookUrl?: SecretReference;
  teamsUrl?: SecretReference;
  slackUrl?: SecretReference;
  smtp?: Omit<SmtpSettings, 'password'> & { password?: SecretReference };
}

/** The setting each notification reference comes from, for start-up errors. */
export const notificationSecretSettings = {
  webhookUrl: 'FACTORY_NOTIFY_WEBHOOK_URL_SECRET',
  teamsUrl: 'FACTORY_NOTIFY_TEAMS_URL_SECRET',
  slackUrl: 'FACTORY_NOTIFY_SLACK_URL_SECRET',
  smtpPassword: 'FACTORY_NOTIFY_SMTP_PASSWORD_SECRET',
} as const;

/** The channels a configuration names (webhook, teams, slack, email), without reading a secret. */
export const configuredNotificationChannels = (settings: NotificationReferences): NotificationChannel[] =>
  notificationChannels.filter((channel) =>
    channel === 'email' ? settings.smtp !== undefined : settings[`${channel}Url`] !== undefined,
  );

export interface WorkerSecretSettings {
  vcenterPassword?: SecretReference;
  backupSharePassword?: SecretReference;
  databaseServers?: DatabaseServersSettings;
}

/** The references of a parsed configuration; pushes what is wrong (naming the setting) to `problems`. */
function secretSettings(
  config: ParsedConfig,
  env: NodeJS.ProcessEnv,
  problems: string[],
): WorkerSecretSettings {
  for (const [variable, replacement] of Object.entries(refusedSecretValueVariables))
    if (env[variable])
      problems.push(
        `${variable}: secret values are not read from the environment; store the value in Key Vault and set ${replacement} to keyvault:https://<vault>.vault.azure.net/secrets/<name>`,
      );
  const reference = (setting: 'VCENTER_PASSWORD_SECRET' | 'DMS_BACKUP_FILE_SHARE_PASSWORD_SECRET') =>
    referenceSetting(config, setting, problems);
  const vcenterPassword = reference('VCENTER_PASSWORD_SECRET');
  if (config.VCENTER_URL && !config.VCENTER_PASSWORD_SECRET)
    problems.push(
      'VCENTER_PASSWORD_SECRET: required with VCENTER_URL (a Key Vault reference to the password)',
    );
  const backupSharePassword = reference('DMS_BACKUP_FILE_SHARE_PASSWORD_SECRET');
  const databaseServers = config.FACTORY_DATABASE_SERVERS
    ? loadDatabaseServers(config.FACTORY_DATABASE_SERVERS, problems)
    : undefined;
  return {
    ...(vcenterPassword ? { vcenterPassword } : {}),
    ...(backupSharePassword ? { backupSharePassword } : {}),
    ...(databaseServers ? { databaseServers } : {}),
  };
}

/** The reference in a `..._SECRET` setting, if set; a malformed one is pushed to `problems` (naming the setting). */
function referenceSetting(
  config: ParsedConfig,
  setting: Extract<keyof ParsedConfig, `${string}_SECRET`>,
  problems: string[],
): SecretReference | undefined {
  const value = config[setting];
  if (value === undefined) return undefined;
  try {
    return parseSecretReference(value, setting);
  } catch (error) {
    problems.push((error as Error).message);
    return undefined;
  }
}

const emailAddress = z.email();

/**
 * The notification channels of a parsed configuration; pushes what is wrong (never a secret: the secret parts
 * are references here) to `problems`.
 */
function notificationSettings(config: ParsedConfig, problems: string[]): NotificationReferences | undefined {
  const webhookUrl = referenceSetting(config, notificationSecretSettings.webhookUrl, problems);
  const teamsUrl = referenceSetting(config, notificationSecretSettings.teamsUrl, problems);
  const slackUrl = referenceSetting(config, notificationSecretSettings.slackUrl, problems);
  const smtpUrl = config.FACTORY_NOTIFY_SMTP_URL;
  let smtp: NotificationReferences['smtp'];
  if (smtpUrl) {
    const url = new URL(smtpUrl);
    if (url.password)
      problems.push(
        'FACTORY_NOTIFY_SMTP_URL: carries a password; store it in Key Vault, set FACTORY_NOTIFY_SMTP_PASSWORD_SECRET to its reference and keep smtp://user@host:port',
      );
    const to = (config.FACTORY_NOTIFY_EMAIL_TO ?? '')
      .split(',')
      .map((address) => address.trim())
      .filter(Boolean);
    if (!config.FACTORY_NOTIFY_EMAIL_FROM)
      problems.push('FACTORY_NOTIFY_EMAIL_FROM: required with FACTORY_NOTIFY_SMTP_URL');
    if (to.length === 0)
      problems.push(
        'FACTORY_NOTIFY_EMAIL_TO: required with FACTORY_NOTIFY_SMTP_URL (comma-separated addresses)',
      );
    for (const address of to)
      if (!emailAddress.safeParse(address).success)
        problems.push(`FACTORY_NOTIFY_EMAIL_TO: '${address}' is not an e-mail address`);
    const secure = url.protocol === 'smtps:';
    const password = referenceSetting(config, notificationSecretSettings.smtpPassword, problems);
    smtp = {
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
      ...(password ? { password } : {}),
      from: config.FACTORY_NOTIFY_EMAIL_FROM ?? '',
      to,
    };
  } else if (config.FACTORY_NOTIFY_SMTP_PASSWORD_SECRET)
    problems.push('FACTORY_NOTIFY_SMTP_PASSWORD_SECRET: set without FACTORY_NOTIFY_SMTP_URL');
  if (!webhookUrl && !teamsUrl && !slackUrl && !smtp) return undefined;
  if (!config.FACTORY_DASHBOARD_URL) {
    problems.push(
      'FACTORY_DASHBOARD_URL: required with a notification channel (the notifications link to it)',
    );
    return undefined;
  }
  return {
    dashboardUrl: config.FACTORY_DASHBOARD_URL,
    ...(webhookUrl ? { webhookUrl } : {}),
    ...(teamsUrl ? { teamsUrl } : {}),
    ...(slackUrl ? { slackUrl } : {}),
    ...(smtp ? { smtp } : {}),
  };
}

const requiredForAzure = [
  'AZURE_SUBSCRIPTION_ID',
  'AZURE_RESOURCE_GROUP',
  'AZURE_VAULT_NAME',
] as const satisfies (keyof ParsedConfig)[];

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = schema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  let temporal: TemporalConnectionSettings | undefined;
  try {
    temporal = resolveTemporalConnection(env);
  } catch (error) {
    if (!(error instanceof TemporalConfigError)) throw error;
    problems.push(`Temporal connection: ${error.message}`);
  }
  let codec: CodecKeySource | undefined;
  try {
    codec = codecKeySource(env);
  } catch (error) {
    if (!(error instanceof CodecConfigError)) throw error;
    problems.push(`Payload encryption: ${error.message}`);
  }
  if (parsed.success) {
    const config = parsed.data;
    const notifications = notificationSettings(config, problems);
    // The integration runtime reads a backup share with an account of its own; Azure refuses a share without it.
    if (
      config.DMS_BACKUP_FILE_SHARE &&
      (!config.DMS_BACKUP_FILE_SHARE_USERNAME || !config.DMS_BACKUP_FILE_SHARE_PASSWORD_SECRET)
    )
      problems.push(
        'DMS_BACKUP_FILE_SHARE_USERNAME, DMS_BACKUP_FILE_SHARE_PASSWORD_SECRET: required with DMS_BACKUP_FILE_SHARE (the account the self-hosted integration runtime reads the share with)',
      );
    const secrets = secretSettings(config, env, problems);
    if (config.FACTORY_PROFILE === 'azure') {
      for (const name of requiredForAzure)
        if (!config[name]?.trim()) problems.push(`${name}: required with FACTORY_PROFILE=azure`);
      if (!config.FACTORY_ARTIFACTS_CONNECTION_STRING && !config.FACTORY_ARTIFACTS_URL)
        problems.push(
          'FACTORY_ARTIFACTS_URL: required with FACTORY_PROFILE=azure (or FACTORY_ARTIFACTS_CONNECTION_STRING)',
        );
      if (config.AZURE_CREDENTIAL === 'local')
        problems.push('AZURE_CREDENTIAL: local (an unsigned token) is for the simulator profile only');
    }
    if (problems.length === 0 && temporal !== undefined && codec !== undefined) {
      const extra = { temporal, secrets, codec, ...(notifications ? { notifications } : {}) };
      if (config.FACTORY_PROFILE === 'azure') return { ...(config as WorkerConfig), ...extra };
      return {
        ...config,
        ...extra,
        AZURE_SUBSCRIPTION_ID: config.AZURE_SUBSCRIPTION_ID ?? demoScope.subscriptionId,
        AZURE_RESOURCE_GROUP: config.AZURE_RESOURCE_GROUP ?? demoScope.resourceGroup,
        AZURE_VAULT_NAME: config.AZURE_VAULT_NAME ?? demoScope.vaultName,
        ...(config.FACTORY_ARTIFACTS_CONNECTION_STRING || config.FACTORY_ARTIFACTS_URL
          ? {}
          : { FACTORY_ARTIFACTS_CONNECTION_STRING: simulatorArtifactStore }),
      };
    }
  }
  throw new Error(`Invalid worker configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
}
