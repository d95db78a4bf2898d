/** A small estate built in code, assessed with the real assessment, for the plan tests. */
import { assessEstate, defaultAssessOptions } from '../../domain/assess/assess-estate.ts';
import type { Application, Database, Estate, Server } from '../../domain/inventory/estate-schema.ts';
import { defaultPlanOptions, type PlanOptions } from '../../domain/plan/plan-options.ts';
import { noPins, type Pins, type Plan } from '../../domain/plan/plan-schema.ts';
import { planEstate } from '../../domain/plan/plan-estate.ts';
import { connection, disk, server } from '../assess/fixtures.ts';

export interface AppSpec {
  name: string;
  vms: number;
  environment?: Application['environment'];
  group?: string;
  criticality?: number;
  priority?: number;
  poc?: boolean;
  /** Tiers by position; default web, app, db, app, app… */
  usedGiB?: number;
}

const from = { file: 'catalog.csv', row: 2 };

export function estateOf(
  apps: AppSpec[],
  deps: [string, string, 'strong' | 'weak'][] = [],
  databases: Partial<Database>[] = [],
): Estate {
  const servers: Server[] = [];
  const applications: Application[] = apps.map((a, ai) => {
    const ids: string[] = [];
    for (let i = 0; i < a.vms; i += 1) {
      const name = `${a.name}-${String(i + 1).padStart(3, '0')}`;
      ids.push(name);
      servers.push(
        server({
          name,
          uuid: `00000000-0000-4000-8000-${String(ai * 1000 + i).padStart(12, '0')}`,
          vcenter: 'vc01.contoso.local',
          disks: [
            disk({ id: '2000', sizeGiB: 128, usedGiB: a.usedGiB ?? 100, writeMBps: 1, writeIops: 100 }),
          ],
          usedGiB: a.usedGiB ?? 100,
        }),
      );
    }
    return {
      name: a.name,
      environment: a.environment ?? 'Production',
      servers: ids,
      unresolvedServers: [],
      databases: [],
      classification: {
        businessGroup: a.group ?? 'Finance',
        pocCandidate: a.poc ?? false,
        technicalDebt: 'None',
        firewallImplications: false,
        securityIssues: false,
        migrationStrategy: 'Rehost',
        technicalComplexity: 2,
        businessCriticality: a.criticality ?? 2,
        migrationPriority: a.priority ?? 2,
        migrationRisk: 2,
      },
      from,
    };
  });
  const connections = deps.map(([a, b, strength]) =>
    connection(`${a}-001`, `${b}-001`, 8080, strength === 'strong' ? 25 : 1),
  );
  // Inside each application: 001 (web) calls 002 (app) calls 003 (db, SQL port).
  for (const a of apps) {
    if (a.vms >= 2) connections.push(connection(`${a.name}-001`, `${a.name}-002`, 8080, 5));
    if (a.vms >= 3) connections.push(connection(`${a.name}-002`, `${a.name}-003`, 1433, 5));
  }
  return {
    formatVersion: 1,
    sources: [],
    servers,
    hosts: [],
    applications,
    databases: databases.map((d, i) => ({
      id: d.id ?? `db${i}`,
      name: d.name ?? `db${i}`,
      engine: d.engine ?? 'SQL Server',
      version: d.version ?? '2019',
      sizeGB: d.sizeGB ?? 10,
      from,
      ...d,
    })),
    connections,
    warnings: [],
  };
}

export function planOf(
  estate: Estate,
  tweak: (o: PlanOptions) => void = () => undefined,
  pins: Pins = noPins(),
): Plan {
  const options = defaultPlanOptions('2026-01-05');
  tweak(options);
  return planEstate(estate, assessEstate(estate, defaultAssessOptions('2025-11-28')), options, pins);
}

export const waveOf = (plan: Plan, app: string): string | undefined => {
  const ids = new Set(plan.applications.find((a) => a.name === app)?.servers ?? []);
  return plan.waves.find((w) =>
    w.batches.some((b) => b.bootGroups.some((g) => g.servers.some((s) => ids.has(s)))),
  )?.id;
};
