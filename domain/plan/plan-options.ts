/**
 * Every knob of the planner, stored inside the plan file so a re-plan with the same inputs and
 * options gives the same plan. Defaults come from shared/reference/limits-and-data.md; assumptions
 * that no Microsoft document publishes are marked as such and belong in the options, not the code.
 */
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');
export const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

export const maintenanceWindowSchema = z.object({
  /** Business group the window applies to; "*" is the default for groups without their own. */
  businessGroup: z.string(),
  /** IANA time zone the days and start time are in, e.g. "Europe/Berlin". */
  timeZone: z.string(),
  days: z.array(z.enum(weekdays)).min(1),
  start: clockTime,
  hours: z.number().positive().max(72),
});
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

export const blackoutSchema = z.object({
  from: isoDate,
  to: isoDate,
  /** Absent = every business group. */
  businessGroup: z.string().optional(),
  reason: z.string().optional(),
});
export type Blackout = z.infer<typeof blackoutSchema>;

export const planOptionsSchema = z.object({
  /** First day of replication (YYYY-MM-DD, UTC). The CLI passes today unless told otherwise. */
  start: isoDate,
  waves: z.object({
    maxVms: z.number().int().positive(),
    /** Absent = derived: what the uplink moves within the initial-replication goal, less 20 % for churn. */
    maxTB: z.number().positive().optional(),
    maxApplications: z.number().int().positive(),
    /** Share of the caps for the 1st, 2nd, … wave of each environment; later waves get the full caps. */
    rampUp: z.array(z.number().positive().max(1)),
    /** Business criticality at or above this is "high". */
    highCriticality: z.number().int().min(1).max(5),
    /** High-criticality applications skip this many first waves of their environment. */
    highCriticalitySkipsWaves: z.number().int().nonnegative(),
  }),
  batches: z.object({ maxVms: z.number().int().positive().max(100) }),
  appliances: z.object({
    maxVms: z.number().int().positive(),
    maxChurnGBPerDay: z.number().positive(),
    /**
     * [assumption] Throughput one appliance's process server sustains to Azure: a wave needs
     * uplink ÷ this many appliances to fill the uplink. Plans made before this option read 2,000.
     */
    bandwidthMbps: z.number().positive().default(2000),
  }),
  network: z.object({ uplinkMbps: z.number().positive() }),
  replication: z.object({
    rpoMinutes: z.number().positive(),
    /** Deployment Planner's growth factor on the 95th-percentile churn. */
    growthFactor: z.number().positive(),
    initialReplicationGoalHours: z.number().positive(),
    /**
     * [assumption] Share of the day a VM writes at its observed (95th-percentile) write rate: turns the
     * peak rate into average daily churn. Replace with measured churn when the Deployment Planner ran.
     */
    churnDutyCycle: z.number().positive().max(1),
    /** [assumption] Daily churn as a share of used storage for VMs without write figures. */
    defaultDailyChurnShare: z.number().nonnegative().max(1),
  }),
  storage: z.object({ iopsPerAccount: z.number().positive() }),
  arm: z.object({ writesPerSecond: z.number().positive(), burst: z.number().int().nonnegative() }),
  failover: z.object({ perHourPerSubscription: z.number().positive() }),
  subscriptions: z.object({ maxProtectedDisks: z.number().int().positive() }),
  schedule: z.object({
    /** Days from the end of initial replication to cutover: test failover, validation, sign-off. */
    validationDays: z.number().nonnegative(),
    maintenanceWindows: z.array(maintenanceWindowSchema).min(1),
    blackouts: z.array(blackoutSchema),
  }),
});
export type PlanOptions = z.infer<typeof planOptionsSchema>;

export const defaultPlanOptions = (start: string): PlanOptions => ({
  start,
  waves: {
    maxVms: 500,
    maxApplications: 150,
    rampUp: [0.1, 0.3, 0.6],
    highCriticality: 4,
    highCriticalitySkipsWaves: 2,
  },
  // Site Recovery: 100 servers per recovery plan (limits-and-data §1.4).
  batches: { maxVms: 100 },
  // Appliance with built-in process server: 151-200 machines, up to 2 TB/day churn (§1.2).
  appliances: { maxVms: 200, maxChurnGBPerDay: 2048, bandwidthMbps: 2000 },
  network: { uplinkMbps: 10_000 },
  // Deployment Planner defaults: RPO 15 min, growth factor 30 %, initial replication in 72 h (§1.6).
  replication: {
    rpoMinutes: 15,
    growthFactor: 1.3,
    initialReplicationGoalHours: 72,
    churnDutyCycle: 0.05,
    defaultDailyChurnShare: 0.01,
  },
  // Classic rule of thumb: one cache storage account per 20,000 IOPS (§1.5).
  storage: { iopsPerAccount: 20_000 },
  // ARM writes: bucket 200, refill 10/s per principal per subscription (§4).
  arm: { writesPerSecond: 10, burst: 200 },
  // About 2,000 Azure-compliant failovers per hour per subscription (§1.1).
  failover: { perHourPerSubscription: 2000 },
  // 3,000 protected disks per subscription (§1.4, applicability to VMware unconfirmed: plan for it).
  subscriptions: { maxProtectedDisks: 3000 },
  schedule: {
    validationDays: 2,
    maintenanceWindows: [
      { businessGroup: '*', timeZone: 'UTC', days: ['Sat', 'Sun', 'Wed'], start: '22:00', hours: 8 },
    ],
    blackouts: [],
  },
});

/** The wave TB cap in force: configured, or what the uplink moves in 80 % of the replication goal. */
export function waveTBCap(options: PlanOptions): number {
  if (options.waves.maxTB !== undefined) return options.waves.maxTB;
  const bytes =
    ((options.network.uplinkMbps * 1e6) / 8) * options.replication.initialReplicationGoalHours * 3600 * 0.8;
  return Math.round((bytes / 1e12) * 10) / 10;
}
