/**
 * Seeds a simulator with the source databases (and their targets) of the demo, and the demo's SQL
 * migration service prepared as an operator would have it: provisioned, integration runtime registered.
 */
import { demoDatabaseServices, type AzureScope, type DemoDatabase } from '../../domain/demo.ts';
import type { DatabaseSeed } from '../../simulators/admin-client.ts';

const engines = { 'SQL Server': 'SqlServer', MySQL: 'MySql', PostgreSQL: 'PostgreSql' } as const;

export function databaseSeed(scope: AzureScope, databases: DemoDatabase[]): DatabaseSeed {
  return {
    subscriptionId: scope.subscriptionId,
    location: scope.location,
    sqlMigrationServices: [demoDatabaseServices(scope).sqlMigrationServiceId],
    databases: databases.map(({ spec, version, logRateMBPerHour }) => {
      const [, resourceGroup = ''] = /\/resourceGroups\/([^/]+)/i.exec(spec.target.serverId) ?? [];
      return {
        name: spec.name,
        sourceServer: spec.sourceServer,
        engine: engines[spec.engine],
        version,
        sizeMB: spec.sizeGB * 1024,
        logRateMBPerHour,
        target: {
          kind: spec.target.kind,
          resourceGroup,
          server: spec.target.serverId.slice(spec.target.serverId.lastIndexOf('/') + 1),
          ...(spec.scaleUp?.normalSku.tier
            ? { sku: { ...spec.scaleUp.normalSku, tier: spec.scaleUp.normalSku.tier } }
            : {}),
        },
      };
    }),
  };
}
