import { describe, expect, it } from 'vitest';
import { databaseSpecsFromPlan } from '../../domain/plan/database-specs.ts';
import { estateOf, planOf } from './plan-fixtures.ts';

const targets = { resourceGroupId: '/subscriptions/sub/resourceGroups/rg-data' };

describe('databases of a wave from the plan', () => {
  const estate = estateOf(
    [{ name: 'ERP Core', vms: 3 }],
    [],
    [
      {
        id: 'erp-003/ledger',
        name: 'ledger',
        hostServer: 'erp-003',
        application: 'ERP Core',
        sizeGB: 120,
        wantedTarget: 'Azure SQL Managed Instance',
      },
      {
        id: 'erp-003/reports',
        name: 'reports',
        hostServer: 'erp-003',
        application: 'ERP Core',
        engine: 'PostgreSQL',
        version: '14',
        wantedTarget: 'Azure Database for PostgreSQL flexible server',
      },
    ],
  );
  const plan = planOf(estate);
  const wave = plan.waves.find((w) => w.databases.length > 0);

  it('excludes a SQL Server database whose (hand-edited) name Azure cannot take, with the rule', () => {
    const hostile = estate.databases.map((db) =>
      db.id === 'erp-003/ledger' ? { ...db, name: '../../x/databaseMigrations/victim?y=' } : db,
    );
    const { databases: specs, excluded } = databaseSpecsFromPlan(plan, hostile, wave!.id, targets);
    expect(specs.map((s) => s.spec.id)).toEqual(['erp-003/reports']);
    expect(excluded.map((e) => e.id)).toEqual(['erp-003/ledger']);
    expect(excluded[0]?.reason).toMatch(/contains "\/": an Azure SQL database name/);
  });

  it('gives each database its engine, size, host, target server by convention and owning batch', () => {
    expect(wave).toBeDefined();
    const { databases: specs, excluded } = databaseSpecsFromPlan(plan, estate.databases, wave!.id, targets);
    expect(excluded).toEqual([]);
    const ledger = specs.find((s) => s.spec.name === 'ledger');
    expect(ledger?.batchId).toBe(wave!.batches[0]?.id);
    expect(ledger?.spec).toMatchObject({
      id: 'erp-003/ledger',
      sourceServer: 'erp-003',
      engine: 'SQL Server',
      application: 'ERP Core',
      sizeGB: 120,
    });
    expect(ledger?.spec.target).toMatchObject({ databaseName: 'ledger' });
    const kinds = specs.map((s) => [
      s.spec.name,
      s.spec.target.kind,
      s.spec.target.serverId.split('/').slice(-3).join('/'),
    ]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['ledger', expect.stringMatching(/^Sql(Mi|Vm|Db)$/), expect.stringMatching(/-erp-core$/)],
        ['reports', 'PostgreSql', 'Microsoft.DBforPostgreSQL/flexibleServers/pg-erp-core'],
      ]),
    );
  });

  it('reports a database it cannot migrate with the reason instead of failing the wave', () => {
    const withOrphan = estateOf(
      [{ name: 'ERP Core', vms: 3 }],
      [],
      [
        {
          id: 'erp-003/archive',
          name: 'archive',
          application: 'ERP Core',
          wantedTarget: 'Azure SQL Managed Instance',
        },
      ],
    );
    const orphanPlan = planOf(withOrphan);
    const orphanWave = orphanPlan.waves.find((w) => w.databases.length > 0);
    const { databases, excluded } = databaseSpecsFromPlan(
      orphanPlan,
      withOrphan.databases,
      orphanWave!.id,
      targets,
    );
    expect(databases).toEqual([]);
    expect(excluded).toEqual([
      { id: 'erp-003/archive', reason: 'Not migrated: it has no host server to migrate from' },
    ]);
  });

  it('names the wave or database that cannot be mapped', () => {
    expect(() => databaseSpecsFromPlan(plan, estate.databases, 'wave-99', targets)).toThrow(
      'the plan has no wave wave-99',
    );
    expect(() => databaseSpecsFromPlan(plan, [], wave!.id, targets)).toThrow(
      /names database erp-003\/\w+, which the estate does not have/,
    );
  });
});
