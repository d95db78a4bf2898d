/**
 * Databases move in the wave of their application (the catalog's application, else the application
 * of the server hosting them), with the DMS target and mode the assessment chose, so database
 * cutover happens inside the application's cutover window.
 */
import type { Database } from '../inventory/estate-schema.ts';
import type { AssessmentInput } from './assessment-input.ts';
import type { Plan, PlanServer } from './plan-schema.ts';

export function attachDatabases(
  databases: readonly Database[],
  assessed: AssessmentInput['databases'],
  servers: ReadonlyMap<string, PlanServer>,
  waveOfApp: ReadonlyMap<string, string>,
): {
  databases: Plan['databases'];
  waveOf: Map<string, string>;
  excluded: Plan['excluded'];
  warnings: string[];
} {
  const assessment = new Map(assessed.map((d) => [d.databaseId, d]));
  const result: Plan['databases'] = [];
  const excluded: Plan['excluded'] = [];
  const warnings: string[] = [];
  const waveOf = new Map<string, string>();
  for (const db of databases) {
    const host = db.hostServerId === undefined ? undefined : servers.get(db.hostServerId);
    const catalogued = db.application !== undefined && waveOfApp.has(db.application);
    const application = catalogued ? db.application : host?.application;
    const wave = application === undefined ? undefined : waveOfApp.get(application);
    const a = assessment.get(db.id);
    if (application === undefined || wave === undefined) {
      excluded.push({
        kind: 'database',
        id: db.id,
        reason: `no planned application: ${db.application === undefined ? 'none given' : `"${db.application}" is not planned`} and host ${db.hostServer ?? 'unknown'} is not migrated`,
      });
      continue;
    }
    if (a?.recommendedTarget === undefined)
      warnings.push(
        `database ${db.id} moves with ${application} but has no DMS target: ${a?.reasons.join('; ') ?? 'not assessed'}`,
      );
    waveOf.set(db.id, wave);
    result.push({
      id: db.id,
      application,
      ...(host === undefined ? {} : { hostServer: host.id }),
      ...(a?.recommendedTarget === undefined ? {} : { target: a.recommendedTarget }),
      ...(a?.mode === undefined ? {} : { mode: a.mode }),
      reasons: [
        `${wave} with ${application} (${catalogued ? 'catalogued application' : `application of host ${host?.name ?? ''}`})`,
        ...(a?.reasons ?? []),
      ],
    });
  }
  return { databases: result.sort((x, y) => x.id.localeCompare(y.id)), waveOf, excluded, warnings };
}
