/**
 * The admin API (JSON, no auth, loopback only): health, seeding, audit, invariants, state summary,
 * clock speed and explicit clock steps, and fault injection. Not part of ARM: never throttled, never audited.
 */
import { z } from 'zod';
import { idKey } from './arm.ts';
import { iso } from './clock.ts';
import { seedDatabases } from './data-migration/seed.ts';
import { setIntegrationRuntime } from './data-migration/sql-migration-services.ts';
import { faultableScenarioNames, resolveFaultConfig } from './faults.ts';
import { checkInvariants } from './invariants.ts';
import { migrationStatus } from './data-migration/database-migration-view.ts';
import { latestSecretVersion, setSecret } from './key-vault.ts';
import { handleLandingZoneAdmin } from './landing-zone/admin.ts';
import { seedLandingZone } from './landing-zone/seed.ts';
import type { Simulation } from './simulation.ts';
import { seedEnvironment, setMobilityAgent } from './site-recovery/environment.ts';
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

const environmentSchema = z.object({
  scope: scopeSchema,
  site: siteSchema,
  withoutMobilityAgent: z.array(z.string().min(1)).optional(),
});
const mobilityAgentSchema = z.object({ vmName: z.string().min(1), installed: z.boolean() });
const clockSchema = z.object({ speed: z.number().positive().finite() });
/** At most a year at once: a larger step is a unit mistake (milliseconds for seconds). */
const clockAdvanceSchema = z.object({
  seconds: z
    .number()
    .nonnegative()
    .max(365 * 86_400),
});
const probability = z.number().min(0).max(1);
export const faultsSchema = z.object({
  rules: z.array(z.object({ scenario: z.enum(faultableScenarioNames), probability })).optional(),
  transient: z
    .object({ probability, statuses: z.array(z.union([z.literal(500), z.literal(503)])).optional() })
    .optional(),
  storms: z
    .array(
      z.object({
        afterSeconds: z.number().nonnegative().optional(),
        durationSeconds: z.number().positive(),
        retryAfterSeconds: z.number().int().positive().optional(),
      }),
    )
    .optional(),
  latency: z
    .object({ ms: z.number().nonnegative(), jitterMs: z.number().nonnegative().optional() })
    .optional(),
  stalls: z.object({ probability }).optional(),
  applianceOutages: z.array(z.string().min(1)).optional(),
  targeted: z
    .array(
      z
        .object({
          vm: z.string().min(1).optional(),
          database: z.string().min(1).optional(),
          fault: z.enum([...faultableScenarioNames, 'Stall']),
          count: z.number().int().positive().optional(),
        })
        .refine((fault) => (fault.vm === undefined) !== (fault.database === undefined), {
          message: 'name exactly one of vm or database',
        }),
    )
    .optional(),
  slowJobs: z
    .array(
      z.object({
        scenario: z.string().min(1),
        extraSeconds: z
          .number()
          .positive()
          .max(365 * 86_400),
      }),
    )
    .optional(),
});
const stormSchema = z.object({
  durationSeconds: z.number().positive(),
  retryAfterSeconds: z.number().int().positive().optional(),
});

const skuSchema = z.object({
  name: z.string().min(1),
  tier: z.string().min(1),
  capacity: z.number().int().positive().optional(),
  family: z.string().optional(),
});
const enginesByTarget = {
  SqlMi: 'SqlServer',
  SqlVm: 'SqlServer',
  SqlDb: 'SqlServer',
  MySql: 'MySql',
  PostgreSql: 'PostgreSql',
};
const sqlMigrationServiceIdSchema = z
  .string()
  .regex(
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.DataMigration\/sqlMigrationServices\/[^/]+$/i,
    'must be the ARM id of a Microsoft.DataMigration/sqlMigrationServices resource',
  );
const integrationRuntimeSchema = z.object({
  sqlMigrationServiceId: sqlMigrationServiceIdSchema,
  online: z.boolean(),
});
const databasesSchema = z.object({
  subscriptionId: z.string().min(1),
  location: z.string().min(1),
  bandwidthMbps: z.number().positive().optional(),
  sqlMigrationServices: z.array(sqlMigrationServiceIdSchema).optional(),
  databases: z.array(
    z
      .object({
        name: z.string().min(1),
        sourceServer: z.string().min(1),
        engine: z.enum(['SqlServer', 'MySql', 'PostgreSql']),
        version: z.string().min(1),
        sizeMB: z.number().nonnegative(),
        logRateMBPerHour: z.number().nonnegative(),
        target: z.object({
          kind: z.enum(['SqlMi', 'SqlVm', 'SqlDb', 'MySql', 'PostgreSql']),
          resourceGroup: z.string().min(1),
          server: z.string().min(1),
          databaseName: z.string().min(1).optional(),
          sku: skuSchema.optional(),
        }),
      })
      .refine((database) => enginesByTarget[database.target.kind] === database.engine, {
        message:
          'the target kind does not take this engine (SqlMi/SqlVm/SqlDb: SqlServer, MySql: MySql, PostgreSql: PostgreSql)',
      }),
  ),
});

/** Name → value; values are strings because Key Vault stores strings. */
const keyVaultSecretsSchema = z.object({
  secrets: z.record(z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, 'a Key Vault secret name'), z.string()),
  /** Leave a secret that already has a version alone (a key that must survive restarts, e.g. the codec's). */
  keepExisting: z.boolean().optional(),
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
      const { scope, site, withoutMobilityAgent } = parsed.data;
      seedLandingZone(sim, scope);
      return json(
        200,
        seedEnvironment(sim, scope, site, withoutMobilityAgent ? { withoutMobilityAgent } : {}),
      );
    }
    case 'PUT /admin/mobility-agent': {
      const parsed = mobilityAgentSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      const { vmName, installed } = parsed.data;
      const vms = setMobilityAgent(sim, vmName, installed);
      if (vms === 0) {
        return json(404, {
          error: {
            code: 'NotFound',
            message: `No source VM is named ${JSON.stringify(vmName)}; seed it first.`,
          },
        });
      }
      return json(200, { vmName, installed, vms });
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
    case 'POST /admin/clock/advance': {
      const parsed = clockAdvanceSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      sim.clock.advance(parsed.data.seconds * 1000);
      // Everything due by the new time happens now, in order, as if the time had passed.
      sim.advance();
      sim.changed();
      return json(200, { simulatedTime: iso(sim.now()), speed: sim.clock.speed });
    }
    case 'GET /admin/faults':
      return json(200, sim.faults.config);
    case 'PUT /admin/faults': {
      const parsed = faultsSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      // Stalls and outages change transfer and sync rates from now on.
      sim.dataMigration.ratesChange(sim.now(), () =>
        sim.faults.replace(resolveFaultConfig(parsed.data, Date.now())),
      );
      sim.replication.rebalanceAll(sim.now());
      return json(200, sim.faults.config);
    }
    case 'POST /admin/faults/storm': {
      const parsed = stormSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      const startsAt = Date.now();
      sim.faults.addStorm({
        startsAt,
        endsAt: startsAt + parsed.data.durationSeconds * 1000,
        retryAfterSeconds: parsed.data.retryAfterSeconds ?? 1,
      });
      return json(200, sim.faults.config);
    }
    case 'PUT /admin/databases': {
      const parsed = databasesSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      // The seed may change the upload bandwidth of running syncs.
      return json(
        200,
        sim.dataMigration.ratesChange(sim.now(), () => seedDatabases(sim, parsed.data)),
      );
    }
    case 'PUT /admin/key-vault/secrets': {
      const parsed = keyVaultSecretsSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      // Answers the new versions' ids, never the values.
      const ids = Object.fromEntries(
        Object.entries(parsed.data.secrets).map(([name, value]) => [
          name,
          `${sim.endpoint}/secrets/${name}/${
            (parsed.data.keepExisting ? latestSecretVersion(sim, name) : undefined) ??
            setSecret(sim, name, value).version
          }`,
        ]),
      );
      return json(200, { vaultUrl: sim.endpoint, secrets: ids });
    }
    case 'PUT /admin/integration-runtime': {
      const parsed = integrationRuntimeSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      const { sqlMigrationServiceId, online } = parsed.data;
      // Uploads of the service's migrations stop or resume with the runtime.
      const state = sim.dataMigration.ratesChange(sim.now(), () =>
        setIntegrationRuntime(sim, sqlMigrationServiceId, online),
      );
      if (state === undefined) {
        return json(404, {
          error: { code: 'NotFound', message: `No SQL migration service ${sqlMigrationServiceId}.` },
        });
      }
      return json(200, { integrationRuntimeState: state });
    }
  }
  const landingZone = handleLandingZoneAdmin(sim, method, url.pathname, body);
  if (landingZone) return landingZone;
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
  databaseMigrations: {
    total: number;
    byStatus: Record<string, number>;
    classicTaskDatabases: Record<string, number>;
    scalingTargets: number;
  };
  auditEntries: number;
  throttledResponses: number;
  /** vSphere API sessions opened and not yet closed. */
  vsphereSessions: number;
  /** ARM requests answered since the simulator started (not persisted), incl. 429 and injected faults. */
  armRequests: {
    reads: number;
    writes: number;
    deletes: number;
    throttled: number;
    faulted: number;
    siteRecovery: { reads: number; writes: number; deletes: number };
    byOperation: Record<string, number>;
  };
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
    databaseMigrations: {
      total: Object.keys(state.dataMigration.databaseMigrations).length,
      byStatus: count(
        Object.values(state.dataMigration.databaseMigrations).map((migration) =>
          migrationStatus(migration.sync),
        ),
      ),
      classicTaskDatabases: count(
        Object.values(state.dataMigration.tasks).flatMap((task) => task.databases.map((db) => db.sync.phase)),
      ),
      scalingTargets: Object.values(state.dataMigration.targets).filter((target) => target.scaling).length,
    },
    auditEntries: sim.audit.lastSeq,
    throttledResponses: throttle.throttled,
    vsphereSessions: sim.vsphereSessions.size,
    armRequests: {
      ...sim.armRequests,
      siteRecovery: { ...sim.armRequests.siteRecovery },
      byOperation: { ...sim.armRequests.byOperation },
    },
  };
}
