/**
 * The ten classification fields for every application: copied from the service catalog where the
 * application is catalogued, derived from the assessment for inferred groups (marked as derived so
 * the application owner knows to confirm them).
 */
import type { Classification } from '../inventory/estate-schema.ts';
import type { Readiness } from './readiness.ts';

export interface DerivationInput {
  servers: number;
  dependencies: number;
  readiness: readonly Readiness[];
  endOfSupportServers: number;
  firewallPorts: number;
  pocCandidate: boolean;
}

/**
 * Unmapped workloads default to medium criticality, as Azure Migrate's wave planner does; complexity
 * grows with size and coupling; debt with out-of-support OSes; risk with complexity and blockers.
 */
export function deriveClassification(input: DerivationInput): Classification {
  const notReady = input.readiness.filter((r) => r === 'Not ready').length;
  const unknown = input.readiness.filter((r) => r === 'Unknown').length;
  const complexity = clamp(
    1 + Math.floor(input.servers / 5) + Math.floor(input.dependencies / 3) + (notReady > 0 ? 1 : 0),
    1,
    5,
  );
  const debt =
    notReady > 0 || input.endOfSupportServers > input.servers / 2
      ? 'Severe'
      : input.endOfSupportServers > 0
        ? 'Some'
        : 'None';
  return {
    businessGroup: 'Unassigned',
    pocCandidate: input.pocCandidate,
    technicalDebt: debt,
    firewallImplications: input.firewallPorts > 0,
    securityIssues: false,
    migrationStrategy: notReady > input.servers / 2 ? 'Rebuild' : 'Rehost',
    technicalComplexity: complexity,
    businessCriticality: 3,
    migrationPriority: 2,
    migrationRisk: clamp(Math.round((complexity + 3) / 2) + (notReady > 0 || unknown > 0 ? 1 : 0), 1, 5),
  };
}

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, n));
