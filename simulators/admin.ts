/**
 * The admin API (JSON, no auth, loopback only): health, seeding, audit, invariants, state summary,
 * clock speed and fault injection. Not part of ARM: never throttled, never audited.
 */
import { z } from 'zod';
import { idKey } from './arm.ts';
import { iso } from './clock.ts';
import { faultableScenarios, type FaultableScenario } from './faults.ts';
import { checkInvariants } from './invariants.ts';
import type { Simulation } from './simulation.ts';
import { seedEnvironment } from './site-recovery/environment.ts';
import { jobState } from './site-recovery/jobs.ts';
import type { PlainResponse } from './source-platform.ts';
import type { Throttle } from './throttling.ts';

const scopeSchema = z.object({
  subscriptionId: z.string().min(1),
  resourceGroup: z.string().min(1),
  vaultName: z.string().min(1),
  location: z.string().min(1),
});

const siteSchema = z.object({
  vcenter: z.string().min(1),
  vmwareSiteName: z.string().min(1),
  uplinkMbps: z.number().positive(),
  appliances: z.array(z.object({ name: z.string().min(1), bandwidthMbps: z.number().positive() })).min(1),
  vms: z.array(
    z.object({
      name: z.string().min(1),
      uuid: z.string().min(1),
      os: z.string(),
      cpus: z.number().int().positive(),
      memoryMiB: z.number().int().positive(),
      disks: z
        .array(
          z.object({
            id: z.string().min(1),
            sizeGiB: z.number().nonnegative(),
            usedGiB: z.number().nonnegative(),
          }),
        )
        .min(1),
      churnMiBPerDay: z.number().nonnegative(),
      application: z.string(),
      tier: z.enum(['db', 'app', 'web']),
    }),
  ),
});

const environmentSchema = z.object({ scope: scopeSchema, site: siteSchema });
const clockSchema = z.object({ speed: z.number().positive().finite() });
const faultsSchema = z.object({
  rules: z.array(
    z.object({
      scenario: z.enum(Object.keys(faultableScenarios) as [FaultableScenario, ...FaultableScenario[]]),
      probability: z.number().min(0).max(1),
    }),
  ),
});

const json = (status: number, body: unknown): PlainResponse => ({ status, body });
const invalid = (error: z.ZodError): PlainResponse =>
  json(400, {
    error: {
      code: 'InvalidRequestContent',
      message: error.issues
        .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
        .join('; '),
    },
  });

export function handleAdmin(
  sim: Simulation,
  throttle: Throttle,
  method: string,
  url: URL,
  body: unknown,
): PlainResponse | undefined {
  const route = `${method} ${url.pathname}`;
  switch (route) {
    case 'GET /health':
      return json(200, { status: 'ok', simulatedTime: iso(sim.now()), speed: sim.clock.speed });
    case 'PUT /admin/environment': {
      const parsed = environmentSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      return json(200, seedEnvironment(sim, parsed.data.scope, parsed.data.site));
    }
    case 'GET /admin/audit': {
      const since = Number(url.searchParams.get('since') ?? '0');
      if (!Number.isInteger(since) || since < 0) {
        return json(400, {
          error: { code: 'InvalidRequestContent', message: "'since' must be a non-negative integer" },
        });
      }
      return json(200, { entries: sim.audit.since(since) });
    }
    case 'GET /admin/invariants':
      return json(200, { violations: checkInvariants(sim) });
    case 'GET /admin/state':
      return json(200, summary(sim, throttle));
    case 'PUT /admin/clock': {
      const parsed = clockSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      sim.clock.setSpeed(parsed.data.speed);
      sim.changed();
      return json(200, { simulatedTime: iso(sim.now()), speed: sim.clock.speed });
    }
    case 'GET /admin/faults':
      return json(200, { rules: sim.state.faults });
    case 'PUT /admin/faults': {
      const parsed = faultsSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      sim.state.faults = parsed.data.rules;
      sim.changed();
      return json(200, { rules: sim.state.faults });
    }
  }
  if (url.pathname === '/health' || url.pathname.startsWith('/admin/')) {
    return json(404, { error: { code: 'NotFound', message: `No admin API at ${method} ${url.pathname}.` } });
  }
  return undefined;
}

export interface StateSummary {
  simulatedTime: string;
  speed: number;
  vaults: number;
  fabrics: number;
  sourceVms: { total: number; poweredOn: number; poweredOff: number };
  protectedItems: {
    total: number;
    byProtectionState: Record<string, number>;
    byTestFailoverState: Record<string, number>;
  };
  recoveryPlans: { total: number; byState: Record<string, number> };
  jobs: { total: number; byState: Record<string, number> };
  targetVms: { failover: number; test: number };
  completedMigrations: number;
  auditEntries: number;
  throttledResponses: number;
}

function count(values: string[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const value of values) result[value] = (result[value] ?? 0) + 1;
  return result;
}

function summary(sim: Simulation, throttle: Throttle): StateSummary {
  const { state } = sim;
  const now = sim.now();
  const items = Object.values(state.items);
  const vms = Object.values(state.sourceVms);
  const targets = Object.values(state.targetVms);
  return {
    simulatedTime: iso(now),
    speed: sim.clock.speed,
    vaults: Object.keys(state.vaults).length,
    fabrics: Object.keys(state.fabrics).length,
    sourceVms: {
      total: vms.length,
      poweredOn: vms.filter((vm) => vm.powerState === 'POWERED_ON').length,
      poweredOff: vms.filter((vm) => vm.powerState === 'POWERED_OFF').length,
    },
    protectedItems: {
      total: items.length,
      byProtectionState: count(items.map((item) => item.protectionState)),
      byTestFailoverState: count(items.map((item) => item.testFailoverState)),
    },
    recoveryPlans: {
      total: Object.keys(state.plans).length,
      byState: count(
        Object.values(state.plans).map((plan) => {
          const job = plan.lastJobId === undefined ? undefined : state.jobs[idKey(plan.lastJobId)];
          return job ? `${job.scenarioName}:${jobState(job, now)}` : 'None';
        }),
      ),
    },
    jobs: {
      total: Object.keys(state.jobs).length,
      byState: count(Object.values(state.jobs).map((job) => jobState(job, now))),
    },
    targetVms: {
      failover: targets.filter((vm) => vm.kind === 'failover').length,
      test: targets.filter((vm) => vm.kind === 'test').length,
    },
    completedMigrations: state.history.completedMigrations.length,
    auditEntries: sim.audit.lastSeq,
    throttledResponses: throttle.throttled,
  };
}
