import { describe, expect, it } from 'vitest';
import {
  databaseSpecProblems,
  migrationVerificationProblems,
  sizedResourceId,
  skuSatisfies,
} from '../../domain/database-rules.ts';
import type { DatabaseSpec } from '../../domain/migration.ts';

const rg = '/subscriptions/s/resourceGroups/rg/providers';
const mi: DatabaseSpec = {
  id: 'payroll-db-01.payroll',
  name: 'payroll',
  sourceServer: 'payroll-db-01',
  engine: 'SQL Server',
  application: 'payroll',
  mode: 'online',
  sizeGB: 50,
  target: {
    kind: 'SqlMi',
    serverId: `${rg}/Microsoft.Sql/managedInstances/sqlmi-payroll`,
    databaseName: 'payroll',
  },
};

describe('database rules', () => {
  it('verifies a finished migration: Succeeded with nothing left, or every reason it is not', () => {
    expect(migrationVerificationProblems(mi, { state: 'succeeded', migrationStatus: 'Succeeded' })).toEqual(
      [],
    );
    const sqlDb: DatabaseSpec = { ...mi, target: { ...mi.target, kind: 'SqlDb' } };
    const stuck = {
      state: 'ready' as const,
      migrationStatus: 'ReadyForCutover',
      pendingLogBackups: 2,
      pendingChanges: 5,
      copiedPercent: 90,
      errorCode: 'Boom',
      errorMessage: 'it broke',
    };
    expect(migrationVerificationProblems(sqlDb, stuck)).toEqual([
      'migration is ReadyForCutover, not Succeeded',
      '2 log backup(s) not restored',
      '5 change(s) not applied',
      'only 90 % of the tables copied',
      'error Boom: it broke',
    ]);
    // SQL MI restores whole databases: there is no per-table copy to check.
    expect(migrationVerificationProblems(mi, { ...stuck, state: 'succeeded' })).not.toContain(
      'only 90 % of the tables copied',
    );
  });

  it('accepts a valid spec and names every problem of a bad one', () => {
    expect(databaseSpecProblems(mi)).toEqual([]);
    const bad: DatabaseSpec = {
      ...mi,
      engine: 'MySQL',
      target: { kind: 'SqlDb', serverId: `${rg}/Microsoft.Sql/managedInstances/x`, databaseName: '' },
    };
    expect(databaseSpecProblems(bad)).toEqual([
      'database payroll-db-01.payroll: target.databaseName is empty',
      "database payroll-db-01.payroll: a MySQL database cannot migrate to target kind 'SqlDb' (use MySql)",
      `database payroll-db-01.payroll: target.serverId '${rg}/Microsoft.Sql/managedInstances/x' is not the ARM id of a SqlDb server`,
      "database payroll-db-01.payroll: Azure SQL Database targets migrate offline only; plan mode 'offline'",
    ]);
  });

  it('refuses a scale-up of a SQL VM, which has no tier the migration can change', () => {
    const vm: DatabaseSpec = {
      ...mi,
      target: {
        kind: 'SqlVm',
        serverId: `${rg}/Microsoft.SqlVirtualMachine/sqlVirtualMachines/vm`,
        databaseName: 'p',
      },
      scaleUp: { migrationSku: { name: 'a' }, normalSku: { name: 'b' } },
    };
    expect(databaseSpecProblems(vm)).toEqual([
      'database payroll-db-01.payroll: a SqlVm target has no tier the migration can scale; drop scaleUp',
    ]);
  });

  it('scales the managed instance, the SQL database or the flexible server', () => {
    expect(sizedResourceId(mi.target)).toBe(mi.target.serverId);
    expect(
      sizedResourceId({ kind: 'SqlDb', serverId: `${rg}/Microsoft.Sql/servers/s`, databaseName: 'd' }),
    ).toBe(`${rg}/Microsoft.Sql/servers/s/databases/d`);
    expect(sizedResourceId({ kind: 'SqlVm', serverId: 'x', databaseName: 'd' })).toBeUndefined();
  });

  it('compares only the sku fields that are asked for', () => {
    const current = { name: 'GP_Gen5', tier: 'GeneralPurpose', capacity: 8 };
    expect(skuSatisfies(current, { name: 'gp_gen5', capacity: 8 })).toBe(true);
    expect(skuSatisfies(current, { name: 'GP_Gen5', capacity: 16 })).toBe(false);
    expect(skuSatisfies(current, { name: 'GP_Gen5', tier: 'BusinessCritical' })).toBe(false);
    expect(skuSatisfies(undefined, { name: 'GP_Gen5' })).toBe(false);
  });
});
