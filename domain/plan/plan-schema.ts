/**
 * The plan file (plan.json): versioned, stable-ordered (waves by number, everything else by id/name),
 * one fact in one place so hand edits cannot contradict themselves. Membership lives only in
 * waves → batches → bootGroups; `servers` and `applications` hold the facts about each and the
 * reasons the planner recorded. `factory plan validate` parses the file with these schemas first.
 */
import { z } from 'zod';
import { platforms } from '../inventory/estate-schema.ts';
import { planOptionsSchema } from './plan-options.ts';

export const PLAN_FORMAT_VERSION = 1;

export const tiers = ['db', 'app', 'web'] as const;
export const environmentClasses = ['non-production', 'production'] as const;
export type EnvironmentClass = (typeof environmentClasses)[number];

const window = z.object({ start: z.iso.datetime(), end: z.iso.datetime() });
export type CutoverWindow = z.infer<typeof window>;

export const pinsSchema = z.object({
  /** Server id or name → wave id. */
  servers: z.record(z.string(), z.string()),
  /** Application name → wave id. */
  applications: z.record(z.string(), z.string()),
  exclude: z.object({ servers: z.array(z.string()), applications: z.array(z.string()) }),
  /** Wave id or batch id → a fixed cutover window. */
  windows: z.record(z.string(), window),
});
export type Pins = z.infer<typeof pinsSchema>;
export const noPins = (): Pins => ({
  servers: {},
  applications: {},
  exclude: { servers: [], applications: [] },
  windows: {},
});

const armWrites = z.object({
  enableReplication: z.number().int(),
  recoveryPlan: z.number().int(),
  testFailover: z.number().int(),
  cleanup: z.number().int(),
  failover: z.number().int(),
  commit: z.number().int(),
  completeMigration: z.number().int(),
  /** Seconds the biggest step takes at the refill rate once the burst is spent. */
  busiestStepSeconds: z.number(),
});

export const batchSchema = z.object({
  id: z.string(),
  businessGroup: z.string(),
  applications: z.array(z.string()),
  /** Recovery-plan boot groups: databases first, then application servers, then web. */
  bootGroups: z.array(
    z.object({ order: z.number().int(), tier: z.enum(tiers), servers: z.array(z.string()) }),
  ),
  targetSubscription: z.string(),
  cutoverWindow: window,
  armWrites,
  /** Why the batch got its window (recorded by the scheduler). */
  reasons: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type PlanBatch = z.infer<typeof batchSchema>;

export const waveSchema = z.object({
  id: z.string(),
  number: z.number().int().positive(),
  environment: z.enum(environmentClasses),
  replicationStart: z.iso.datetime(),
  replicationEnd: z.iso.datetime(),
  cutoverStart: z.iso.datetime(),
  cutoverEnd: z.iso.datetime(),
  totals: z.object({ vms: z.number().int(), usedTB: z.number(), applications: z.number().int() }),
  /** Caps in force for this wave after ramp-up. */
  caps: z.object({ vms: z.number(), usedTB: z.number(), applications: z.number() }),
  batches: z.array(batchSchema),
  databases: z.array(z.string()),
});
export type PlanWave = z.infer<typeof waveSchema>;

export const planServerSchema = z.object({
  id: z.string(),
  name: z.string(),
  application: z.string(),
  tier: z.enum(tiers),
  appliance: z.string().optional(),
  uuid: z.string().optional(),
  vcenter: z.string().optional(),
  targetVmSize: z.string().optional(),
  usedGiB: z.number(),
  disks: z.number().int(),
  iops: z.number(),
  churnGBPerDay: z.number(),
  peakChurnMBps: z.number(),
  /** True when churn is the default assumption (no disk write data), not derived from measurements. */
  churnAssumed: z.boolean().optional(),
  reasons: z.array(z.string()),
});
export type PlanServer = z.infer<typeof planServerSchema>;

export const planApplicationSchema = z.object({
  name: z.string(),
  environment: z.enum(environmentClasses),
  businessGroup: z.string(),
  criticality: z.number().int(),
  priority: z.number().int(),
  servers: z.array(z.string()),
  dependsOn: z.array(z.object({ application: z.string(), strength: z.enum(['strong', 'medium', 'weak']) })),
  /** Applications that must share a wave with this one (strong two-way coupling, shared servers). */
  moveGroup: z.array(z.string()),
  reasons: z.array(z.string()),
});
export type PlanApplication = z.infer<typeof planApplicationSchema>;

export const planDatabaseSchema = z.object({
  id: z.string(),
  application: z.string(),
  hostServer: z.string().optional(),
  target: z.string().optional(),
  mode: z.enum(['offline', 'online']).optional(),
  reasons: z.array(z.string()),
});

export const crossWaveDependencySchema = z.object({
  from: z.string(),
  to: z.string(),
  fromWave: z.string(),
  toWave: z.string(),
  strength: z.enum(['strong', 'medium', 'weak']),
  risk: z.enum(['high', 'medium', 'low']),
  reason: z.string(),
});
export type CrossWaveDependency = z.infer<typeof crossWaveDependencySchema>;

export const capacitySchema = z.object({
  appliances: z.array(
    z.object({ name: z.string(), peakVms: z.number().int(), peakChurnGBPerDay: z.number() }),
  ),
  targetSubscriptions: z.array(z.object({ name: z.string(), peakProtectedDisks: z.number().int() })),
  perWave: z.array(
    z.object({
      wave: z.string(),
      inFlightVms: z.number().int(),
      storageAccounts: z.number().int(),
      rpoBandwidthMbps: z.number(),
      initialReplicationMbps: z.number(),
      initialReplicationHours: z.number(),
      enableReplicationMinutes: z.number(),
      failoverHours: z.number(),
    }),
  ),
  peak: z.object({
    appliances: z.number().int(),
    storageAccounts: z.number().int(),
    rpoBandwidthMbps: z.number(),
    initialReplicationMbps: z.number(),
    targetSubscriptions: z.number().int(),
  }),
  violations: z.array(z.object({ rule: z.string(), subject: z.string(), message: z.string() })),
});
export type Capacity = z.infer<typeof capacitySchema>;

/** Why a server is refused for waves, when it is more than a pin or an empty application. */
export const exclusionCategories = ['not-vmware', 'exclusion-candidate'] as const;

export const excludedSchema = z.object({
  kind: z.enum(['server', 'application', 'database']),
  id: z.string(),
  reason: z.string(),
  /** Server name (ids are UUIDs or vCenter paths). */
  name: z.string().optional(),
  category: z.enum(exclusionCategories).optional(),
  /** Set for servers that are not VMware VMs. */
  platform: z.enum(platforms).optional(),
});
export type PlanExcluded = z.infer<typeof excludedSchema>;

export const planSchema = z.object({
  formatVersion: z.literal(PLAN_FORMAT_VERSION),
  /** Assessment date of the inputs; hashes of the input files are added by the CLI. */
  inputs: z.object({
    assessmentAsOf: z.string(),
    estateSha256: z.string().optional(),
    assessmentSha256: z.string().optional(),
  }),
  options: planOptionsSchema,
  pins: pinsSchema,
  summary: z.object({
    waves: z.number().int(),
    batches: z.number().int(),
    vms: z.number().int(),
    databases: z.number().int(),
    usedTB: z.number(),
    makespanDays: z.number(),
    lowerBoundDays: z.number(),
    lowerBoundBinding: z.string(),
    /** Planned servers whose churn is assumed (no disk write data); absent in plans made before. */
    assumedChurnServers: z.number().int().optional(),
  }),
  waves: z.array(waveSchema),
  applications: z.array(planApplicationSchema),
  servers: z.array(planServerSchema),
  databases: z.array(planDatabaseSchema),
  excluded: z.array(excludedSchema),
  crossWaveDependencies: z.array(crossWaveDependencySchema),
  capacity: capacitySchema,
  warnings: z.array(z.string()),
});
export type Plan = z.infer<typeof planSchema>;
