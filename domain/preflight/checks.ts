/**
 * Preflight: what a wave needs from Azure before replication starts, checked with reads only. The
 * checks have stable names an operator can waive at the wave's gate (with a reason); each failing check
 * says what is wrong and how to fix it. Pure: the reads happen in `activities/preflight.ts`.
 */
import type { BatchSpec, DatabaseSpec, TargetSettings } from '../migration.ts';

export const preflightCheckNames = [
  'vault',
  'replication-fabric',
  'process-servers',
  'mobility-agents',
  'target-resource-group',
  'target-network',
  'target-subnet',
  'test-network',
  'cache-storage-account',
  'vcpu-quota',
  'sql-migration-runtime',
  'permissions',
] as const;
export type PreflightCheckName = (typeof preflightCheckNames)[number];

export const isPreflightCheckName = (name: string): name is PreflightCheckName =>
  (preflightCheckNames as readonly string[]).includes(name);

export interface PreflightCheck {
  name: PreflightCheckName;
  ok: boolean;
  /** What was found, in one line. */
  detail: string;
  /** What to do, for a failing check. */
  fix?: string;
}

export interface PreflightReport {
  waveId: string;
  checks: PreflightCheck[];
}

export interface PreflightWaiver {
  check: string;
  reason: string;
  by: string;
}

/** Failing checks nobody waived. */
export const unwaivedFailures = (checks: PreflightCheck[], waivers: { check: string; reason: string }[]) =>
  checks.filter((c) => !c.ok && !waivers.some((w) => w.check === c.name && w.reason.trim() !== ''));

/** One line per check, as `factory preflight` prints it and the gate describes it. */
export const formatCheck = (check: PreflightCheck) =>
  `${check.ok ? 'pass' : 'FAIL'}  ${check.name}: ${check.detail}${check.ok || !check.fix ? '' : `\n      fix: ${check.fix}`}`;

/** A planned VM as preflight sees it. */
export interface PreflightVm {
  name: string;
  /** Azure Migrate discovered machine id: `…/VMwareSites/{site}/machines/{machine}`. */
  machineId: string;
  appliance: string;
  targetVmSize?: string;
}

/** What a wave needs from Azure: its VMs, where they land, its databases' services and targets. */
export interface PreflightNeeds {
  waveId: string;
  vms: PreflightVm[];
  target: TargetSettings;
  /** Region the VMs land in; the replication fabric's region when not given. */
  location?: string;
  /** Guest credentials for pushing the mobility agent (Azure Migrate run-as account id). */
  runAsAccountId?: string;
  databases?: {
    /** Set when the wave has SQL Server databases (they migrate through it). */
    sqlMigrationServiceId?: string;
    /** Classic DMS service for MySQL / PostgreSQL databases, when the wave has some. */
    classicServiceId?: string;
    /** Resource groups of the target servers. */
    targetResourceGroupIds: string[];
    /** Target kinds the wave scales for the migration (their write actions are needed). */
    scaledKinds: DatabaseSpec['target']['kind'][];
  };
}

const resourceGroupOf = (id: string) => /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+/i.exec(id)?.[0];

/** Needs of a wave from its batches and databases (as the wave workflow derives them). */
export function preflightNeeds(options: {
  waveId: string;
  batches: BatchSpec[];
  target: TargetSettings;
  location?: string;
  runAsAccountId?: string;
  databases?: { sqlMigrationServiceId: string; classicServiceId: string; specs: DatabaseSpec[] };
}): PreflightNeeds {
  const { databases } = options;
  const specs = databases?.specs ?? [];
  return {
    waveId: options.waveId,
    vms: options.batches.flatMap((b) =>
      b.vms.map((vm) => ({
        name: vm.name,
        machineId: vm.machineId,
        appliance: vm.appliance,
        ...(vm.targetVmSize ? { targetVmSize: vm.targetVmSize } : {}),
      })),
    ),
    target: options.target,
    ...(options.location ? { location: options.location } : {}),
    ...(options.runAsAccountId ? { runAsAccountId: options.runAsAccountId } : {}),
    ...(databases && specs.length > 0
      ? {
          databases: {
            ...(specs.some((d) => d.engine === 'SQL Server')
              ? { sqlMigrationServiceId: databases.sqlMigrationServiceId }
              : {}),
            ...(specs.some((d) => d.engine !== 'SQL Server')
              ? { classicServiceId: databases.classicServiceId }
              : {}),
            targetResourceGroupIds: [
              ...new Set(specs.flatMap((d) => resourceGroupOf(d.target.serverId) ?? [])),
            ].sort(),
            scaledKinds: [...new Set(specs.flatMap((d) => (d.scaleUp ? [d.target.kind] : [])))].sort(),
          },
        }
      : {}),
  };
}
