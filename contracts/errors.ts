/**
 * The `type` of every ApplicationFailure the factory throws, in one place: workflows, activities, the CLI
 * and the bench match on these constants, never on message text. Failures Azure reports carry
 * `Azure.<code>` (see `azureErrorType`).
 */
export const ErrorType = {
  /** An operator action (update) the workflow refused; nothing was written to its history. */
  operatorActionRefused: 'OperatorActionRefused',
  /**
   * A wave started with trusted stamp keys whose start is not signed by the factory server (stamp missing,
   * invalid, expired, or its identity lacks the role): the wave fails at once, before touching anything.
   */
  waveStartRefused: 'WaveStartRefused',
  /** Internal: unwinds a batch or database workflow into its rollback. */
  rollbackRequested: 'RollbackRequested',
  invalidInput: 'InvalidInput',
  invalidDatabaseSpec: 'InvalidDatabaseSpec',
  /** A pinned artifact (plan, estate, assessment) is not in the store. */
  artifactMissing: 'ArtifactMissing',
  /** A pinned artifact's content does not hash to its pin. */
  artifactTampered: 'ArtifactTampered',
  /** The plan does not contain what the wave needs, or breaks a plan rule. */
  planInvalid: 'PlanInvalid',
  sourcePlatformNotConfigured: 'SourcePlatformNotConfigured',
  sourceVmNotFound: 'SourceVmNotFound',
  replicationSiteNotFound: 'ReplicationSiteNotFound',
  cutoverAlreadyStarted: 'CutoverAlreadyStarted',
  /** The SQL migration service the wave names is missing or still provisioning: prepared infrastructure. */
  sqlMigrationServiceNotReady: 'SqlMigrationServiceNotReady',
  /** The SQL migration service has no online self-hosted integration runtime (Azure's own code). */
  integrationRuntimeNotOnline: 'Azure.IntegrationRuntimeIsNotOnline',
  /** The worker's settings give no login for a database's source or target server (FACTORY_DATABASE_SERVERS). */
  databaseServerNotConfigured: 'DatabaseServerNotConfigured',
  /** A source database server's certificate does not chain to the CA configured for it. */
  databaseCertificateUntrusted: 'DatabaseCertificateUntrusted',
  azureOperationFailed: 'Azure.OperationFailed',
  azureResourceNotFound: 'Azure.ResourceNotFound',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

const AZURE_PREFIX = 'Azure.';

/** The failure type for an error code Azure returned. */
export const azureErrorType = (code: string) => `${AZURE_PREFIX}${code}`;

/** The Azure error code inside a failure type, or the type itself when it is not Azure's. */
export const azureCodeOf = (type: string) =>
  type.startsWith(AZURE_PREFIX) ? type.slice(AZURE_PREFIX.length) : type;
