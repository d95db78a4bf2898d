/**
 * Which database targets accept which source engines and versions, with the Database Migration
 * Service modes. Compiled 2025-11-28 from:
 * - https://learn.microsoft.com/azure/dms/resource-scenario-status (2025-10: SQL Database offline
 *   only; SQL Managed Instance and SQL Server on Azure VM offline and online; MySQL flexible server
 *   offline and online; PostgreSQL flexible server online only);
 * - https://learn.microsoft.com/azure/dms/faq (SQL Server 2008 and later as sources);
 * - size limits: Hyperscale 100 TB,
 *   https://learn.microsoft.com/azure/azure-sql/database/service-tier-hyperscale; Managed Instance
 *   General Purpose 16 TB, https://learn.microsoft.com/azure/azure-sql/managed-instance/resource-limits;
 *   MySQL flexible server 16 TiB storage,
 *   https://learn.microsoft.com/azure/mysql/flexible-server/concepts-service-tiers-storage; PostgreSQL
 *   flexible server 16 TiB storage,
 *   https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-storage;
 * - MySQL flexible server runs 5.7 and 8.0: https://learn.microsoft.com/azure/mysql/concepts-version-policy.
 * The PostgreSQL minimum source (9.5, logical decoding for online sync) is DERIVED, not published.
 */
import type { DbEngine, DbTarget } from '../inventory/estate-schema.ts';

export interface TargetRule {
  target: DbTarget;
  engine: DbEngine;
  /** Oldest source major version that migrates with DMS (inclusive). */
  minVersion: number;
  modes: readonly ('offline' | 'online')[];
  maxSizeGB: number;
}

export const targetRules: readonly TargetRule[] = [
  {
    target: 'Azure SQL Managed Instance',
    engine: 'SQL Server',
    minVersion: 2008,
    modes: ['offline', 'online'],
    maxSizeGB: 16_384,
  },
  {
    target: 'Azure SQL Database',
    engine: 'SQL Server',
    minVersion: 2008,
    modes: ['offline'],
    maxSizeGB: 102_400,
  },
  {
    target: 'SQL Server on Azure VM',
    engine: 'SQL Server',
    minVersion: 2008,
    modes: ['offline', 'online'],
    maxSizeGB: Number.POSITIVE_INFINITY,
  },
  {
    target: 'Azure Database for MySQL flexible server',
    engine: 'MySQL',
    minVersion: 5.7,
    modes: ['offline', 'online'],
    maxSizeGB: 16_384,
  },
  {
    target: 'Azure Database for PostgreSQL flexible server',
    engine: 'PostgreSQL',
    minVersion: 9.5,
    modes: ['online'],
    maxSizeGB: 16_384,
  },
];

export const targetSource = 'MicrosoftDocs/azure-databases-docs articles/dms/resource-scenario-status.md';
