import { createHash } from 'node:crypto';

/** Job scenarios that fault injection can fail, with the Azure error each failure reports. */
export const faultableScenarios = {
  EnableDr: {
    code: 'EnableProtectionFailed',
    message:
      'Enable protection failed because the mobility service could not be installed on the source machine.',
    possibleCauses: 'The source machine is not reachable from the replication appliance.',
    recommendedAction:
      'Check connectivity between the appliance and the source machine, then disable and re-enable replication.',
  },
  TestFailover: {
    code: 'TestFailoverFailed',
    message: 'Test failover failed while creating the test virtual machine.',
    possibleCauses: 'A transient error occurred in the target region.',
    recommendedAction: 'Clean up the test failover and retry it.',
  },
  UnplannedFailover: {
    code: 'FailoverFailed',
    message: 'Failover failed while creating the Azure virtual machine.',
    possibleCauses: 'A transient error occurred in the target region.',
    recommendedAction: 'Retry the failover.',
  },
} as const;

export type FaultableScenario = keyof typeof faultableScenarios;

export interface FaultRule {
  scenario: FaultableScenario;
  /** Probability in [0, 1] that a job of this scenario fails. */
  probability: number;
}

/**
 * Decides, deterministically from the seed and the job name, whether a job fails. Job names are
 * themselves seeded, so the same seed and the same calls fail the same jobs.
 */
export function shouldFail(
  rules: readonly FaultRule[],
  seed: number,
  scenario: string,
  jobName: string,
): boolean {
  const rule = rules.find((candidate) => candidate.scenario === scenario);
  if (!rule || rule.probability <= 0) return false;
  const digest = createHash('sha256').update(`${seed}:fault:${jobName}`).digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000 < rule.probability;
}
