import { describe, expect, it } from 'vitest';
import { assessDatabase, defaultDatabaseOptions, majorVersion } from '../../domain/assess/databases.ts';
import type { Database } from '../../domain/inventory/estate-schema.ts';

const db = (overrides: Partial<Database>): Database => ({
  id: 'h/db',
  name: 'db',
  engine: 'SQL Server',
  version: '2016',
  sizeGB: 100,
  from: { file: 'databases.csv', row: 2 },
  ...overrides,
});

describe('database assessment', () => {
  it('reads versions', () => {
    expect(['2008 R2', '8.0.32', '5.7', '5.6.51', '12', 'v?'].map(majorVersion)).toEqual([
      2008,
      8,
      5.7,
      5.6,
      12,
      undefined,
    ]);
  });

  it('recommends SQL Managed Instance offline for a small SQL Server database', () => {
    expect(assessDatabase(db({}), defaultDatabaseOptions)).toMatchObject({
      compatibleTargets: ['Azure SQL Managed Instance', 'Azure SQL Database', 'SQL Server on Azure VM'],
      recommendedTarget: 'Azure SQL Managed Instance',
      mode: 'offline',
      offlineHours: 0.3,
    });
  });

  it('goes online when the offline copy would not fit the window', () => {
    const result = assessDatabase(db({ sizeGB: 2000 }), defaultDatabaseOptions);
    expect(result).toMatchObject({ mode: 'online', offlineHours: 5.7 });
    expect(result.reasons).toContain('offline copy ≈ 5.7 h exceeds the 4 h window');
  });

  it('honours a wanted target, and warns when Azure SQL Database (offline only) cannot meet the window', () => {
    const result = assessDatabase(
      db({ sizeGB: 2000, wantedTarget: 'Azure SQL Database' }),
      defaultDatabaseOptions,
    );
    expect(result).toMatchObject({ recommendedTarget: 'Azure SQL Database', mode: 'offline' });
    expect(result.reasons[1]).toContain('consider SQL Managed Instance for online sync');
  });

  it('moves databases too large for Managed Instance to SQL Server on Azure VM', () => {
    expect(assessDatabase(db({ sizeGB: 20_000 }), defaultDatabaseOptions).recommendedTarget).toBe(
      'Azure SQL Database',
    );
    expect(assessDatabase(db({ sizeGB: 200_000 }), defaultDatabaseOptions).recommendedTarget).toBe(
      'SQL Server on Azure VM',
    );
  });

  it('finds no DMS target for SQL Server 2005 or MySQL 5.6, and runs PostgreSQL online', () => {
    expect(assessDatabase(db({ version: '2005' }), defaultDatabaseOptions)).toMatchObject({
      compatibleTargets: [],
    });
    const mysql = assessDatabase(db({ engine: 'MySQL', version: '5.6' }), defaultDatabaseOptions);
    expect(mysql.reasons[0]).toContain('upgrade to 5.7 or later first');
    expect(assessDatabase(db({ engine: 'PostgreSQL', version: '13' }), defaultDatabaseOptions)).toMatchObject(
      {
        recommendedTarget: 'Azure Database for PostgreSQL flexible server',
        mode: 'online',
      },
    );
  });
});
