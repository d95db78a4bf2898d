/**
 * The ASR state strings the simulator uses. protectionState and testFailoverState values come from
 * ASR's protection-state enumeration (the same names the REST spec examples and the Data Replication
 * spec enumerate); the item moves through them as below.
 *
 *   EnablingProtection → InitialReplicationInProgress → Protected
 *   Protected → UnplannedFailoverInitiated → UnplannedFailoverCompleted → CommitFailoverInProgressOnRecovery
 *     → CommitFailoverCompleted → (removed with MigrationComplete)
 *   testFailoverState: None → TestFailoverInitiated → WaitingForCompletion → MarkedForDeletion → None
 *
 * `WaitingForCompletion` ("Waiting for user input") is what ReplicationProtectedItems_TestFailover's
 * example shows after a test failover: the test machines run and the test failover job is suspended
 * until test failover cleanup.
 */

export const protectionStates = {
  EnablingProtection: 'Enabling protection',
  EnablingFailed: 'Enabling protection failed',
  InitialReplicationInProgress: 'Initial replication in progress',
  Protected: 'Protected',
  UnplannedFailoverInitiated: 'Failover in progress',
  UnplannedFailoverFailed: 'Failover failed',
  UnplannedFailoverCompleted: 'Failover completed',
  CommitFailoverInProgressOnRecovery: 'Committing failover',
  CommitFailoverCompleted: 'Failover committed',
  CancelFailoverInProgressOnRecovery: 'Cancelling failover',
  DisablingProtection: 'Disabling protection',
} as const;

export type ProtectionState = keyof typeof protectionStates;

export const testFailoverStates = {
  None: 'None',
  TestFailoverInitiated: 'Test failover in progress',
  WaitingForCompletion: 'Waiting for user input',
  TestFailoverFailed: 'Test failover failed; cleanup pending',
  MarkedForDeletion: 'Cleaning up test environment',
} as const;

export type TestFailoverState = keyof typeof testFailoverStates;

/** KnownReplicationProtectedItemOperation values the simulator implements. */
export type ItemOperation =
  | 'TestFailover'
  | 'TestFailoverCleanup'
  | 'UnplannedFailover'
  | 'CancelFailover'
  | 'Commit'
  | 'CompleteMigration'
  | 'DisableProtection'
  | 'RepairReplication';

/** Allowed operations of an item that runs no job. */
export function allowedItemOperations(
  state: ProtectionState,
  testFailover: TestFailoverState,
): ItemOperation[] {
  if (testFailover === 'WaitingForCompletion' || testFailover === 'TestFailoverFailed') {
    return ['TestFailoverCleanup'];
  }
  switch (state) {
    case 'EnablingFailed':
      return ['DisableProtection'];
    case 'InitialReplicationInProgress':
      return ['DisableProtection', 'RepairReplication'];
    case 'Protected':
      return ['TestFailover', 'UnplannedFailover', 'DisableProtection', 'RepairReplication'];
    case 'UnplannedFailoverFailed':
      return ['UnplannedFailover', 'DisableProtection'];
    case 'UnplannedFailoverCompleted':
      return ['Commit', 'CancelFailover'];
    case 'CommitFailoverCompleted':
      return ['CompleteMigration', 'DisableProtection'];
    case 'EnablingProtection':
    case 'UnplannedFailoverInitiated':
    case 'CommitFailoverInProgressOnRecovery':
    case 'CancelFailoverInProgressOnRecovery':
    case 'DisablingProtection':
      return [];
  }
}

/** Job states as ASR reports them (JobProperties.state). */
export type JobState =
  'NotStarted' | 'InProgress' | 'Succeeded' | 'Failed' | 'Cancelled' | 'Suspended' | 'Other';

/** Recovery-plan allowed operations (RecoveryPlanProperties.allowedOperations). */
export type PlanOperation =
  'TestFailover' | 'TestFailoverCleanup' | 'UnplannedFailover' | 'Commit' | 'CancelFailover';
