/** Every Database Migration route: SQL migrations, classic DMS, targets and operation statuses. */
import type { ArmRoute } from '../arm.ts';
import type { Simulation } from '../simulation.ts';
import { classicServiceRoutes } from './classic-services.ts';
import { classicTaskRoutes } from './classic-tasks.ts';
import { databaseMigrationRoutes } from './database-migrations.ts';
import { operationStatusRoutes } from './operations.ts';
import { sqlMigrationServiceRoutes } from './sql-migration-services.ts';
import { targetRoutes } from './targets.ts';

export const dataMigrationRoutes = (sim: Simulation): ArmRoute[] => [
  ...sqlMigrationServiceRoutes(sim),
  ...databaseMigrationRoutes(sim),
  ...classicServiceRoutes(sim),
  ...classicTaskRoutes(sim),
  ...targetRoutes(sim),
  ...operationStatusRoutes(sim),
];
