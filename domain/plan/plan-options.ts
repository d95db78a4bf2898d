/**
 * Every knob of the planner, stored inside the plan file so a re-plan with the same inputs and
 * options gives the same plan. Defaults come from the Microsoft documentation cited next to each one
 * in `defaultPlanOptions`; assumptions that no Microsoft document publishes are marked [assumption]
 * and belong in the options, not the code.
 */
import { z } from 'zod';
import { calendarDateSchema, isTimeZone } from '../calendar-date.ts';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');
export const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

export const maintenanceWindowSchema = z.object({
  /** Business group the window applies to; "*" is the default for groups without their own. */
  businessGroup: z.string(),
  /** IANA time zone the days and start time are in, e.g. "Europe/Berlin". */
  timeZone: z.string().refine(isTimeZone, {
    error: (issue) => `${String(issue.input)}: not an IANA time zone name (e.g. Europe/Berlin or UTC)`,
  }),
  days: z.array(z.enum(weekdays)).min(1),
  /**
   * Local start time. Shown twice when clocks fall back: the earlier instant; skipped when they spring
   * forward: the first instant after the gap (see time-windows.ts).
   */
  start: clockTime,
  /** Elapsed hours, also across a daylight-saving change. */
  hours: z.number().positive().max(72),
});
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

/** Calendar dates in each window's own zone; a window touching any of them is skipped. */
export const blackoutSchema = z
  .object({
    from: calendarDateSchema,
    to: calendarDateSchema,
    /** Absent = every business group. */
    businessGroup: z.string().optional(),
    reason: z.string().optional(),
  })
  .refine((b) => b.to >= b.from, {
    error: (issue) => {
      const b = issue.input as { from: string; to: string };
      return `to ${b.to} is before from ${b.from}`;
    },
    path: ['to'],
  });
export type Blackout = z.infer<typeof blackoutSchema>;

export const planOptionsSchema = z.object({
  /** First day of replication (YYYY-MM-DD, UTC). The CLI passes today unless told otherwise. */
  start: calendarDateSchema,
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
  /**
   * Exclusion candidates the operator opts into waves (powered-off VMs must be powered on before their
   * wave replicates; templates converted to VMs). Servers that are not VMware VMs and migration
   * appliances are never planned. Plans made before this option read both as false.
   */
  exclusions: z
    .object({ includePoweredOff: z.boolean(), includeTemplates: z.boolean() })
    .default({ includePoweredOff: false, includeTemplates: false }),
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
  // "Number of servers per recovery plan: 100":
  // https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#site-recovery-limits
  batches: { maxVms: 100 },
  // Appliance with built-in process server: 151-200 machines, ">1 TB to 2 TB" of daily change:
  // https://learn.microsoft.com/azure/site-recovery/replication-appliance-support-matrix#sizing-and-capacity
  appliances: { maxVms: 200, maxChurnGBPerDay: 2048, bandwidthMbps: 2000 },
  network: { uplinkMbps: 10_000 },
  // Deployment Planner defaults: -DesiredRPO 15 min, -GrowthFactor 30 %, -GoalToCompleteIR 72 h:
  // https://learn.microsoft.com/azure/site-recovery/site-recovery-vmware-deployment-planner-run#generate-report
  replication: {
    rpoMinutes: 15,
    growthFactor: 1.3,
    initialReplicationGoalHours: 72,
    churnDutyCycle: 0.05,
    defaultDailyChurnShare: 0.01,
  },
  // Classic Site Recovery capacity rule: "storage accounts required = total source machine IOPS divided
  // by 20,000" (a standard account serves 20,000 requests/s):
  // https://learn.microsoft.com/azure/site-recovery/site-recovery-plan-capacity-vmware and
  // https://learn.microsoft.com/azure/storage/common/scalability-targets-standard-account
  storage: { iopsPerAccount: 20_000 },
  // ARM writes: token bucket of 200, refilled at 10/s, per subscription per principal:
  // https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
  arm: { writesPerSecond: 10, burst: 200 },
  // 2,000 failovers per hour per subscription for Azure-compliant machines (1,000 otherwise):
  // https://learn.microsoft.com/azure/site-recovery/vmware-physical-large-deployment#failover-limits
  failover: { perHourPerSubscription: 2000 },
  // "Up to 3000 protected disks per Subscription", stated for Azure-to-Azure replication; no VMware
  // figure is published, so the planner assumes the same cap ("Replicated machines - storage" in
  // https://learn.microsoft.com/azure/site-recovery/azure-to-azure-support-matrix).
  subscriptions: { maxProtectedDisks: 3000 },
  exclusions: { includePoweredOff: false, includeTemplates: false },
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
