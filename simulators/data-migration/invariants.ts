/** Database Migration properties that must hold whatever the client did. */
import type { Simulation } from '../simulation.ts';

export function dataMigrationViolations(sim: Simulation): string[] {
  const { history, databaseMigrations, targets } = sim.state.dataMigration;
  const violations: string[] = [];
  for (const [migration, count] of Object.entries(history.cutovers)) {
    if (count > 1) violations.push(`database migration ${migration} was cut over ${count} times`);
  }
  for (const [target, count] of Object.entries(history.succeededByTarget)) {
    if (count > 1) {
      violations.push(
        `target database ${target} received ${count} completed migrations: a cut-over database was overwritten`,
      );
    }
  }
  for (const migration of Object.values(databaseMigrations)) {
    if (!targets[migration.scope.toLowerCase()]) {
      violations.push(
        `database migration ${migration.id} points at target ${migration.scope}, which does not exist`,
      );
    }
    if (migration.sync.phase === 'Succeeded' && migration.sync.online && migration.sync.backlogBytes > 0) {
      violations.push(`online migration ${migration.id} completed with log backups left unrestored`);
    }
  }
  return violations;
}
