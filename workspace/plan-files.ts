/**
 * The plan's files in the workspace: plan.json (the reviewable plan), plan.sha256 (content hash of its
 * canonical JSON, which the Migrate step pins waves by) and plan-report.html. Hashing lives here, at the
 * edge, because it needs node:crypto.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../contracts/canonical-json.ts';
import { join } from 'node:path';
import { assessmentInputSchema, type AssessmentInput } from '../domain/plan/assessment-input.ts';
import { planSchema, type Plan } from '../domain/plan/plan-schema.ts';
import { ASSESSMENT_FILE, readValidated, writeAllAtomically } from './files.ts';

export const PLAN_FILE = 'plan.json';
export const PLAN_HASH_FILE = 'plan.sha256';
export const PLAN_REPORT_FILE = 'plan-report.html';

/** Keys that JavaScript orders numerically in any object, whatever the insertion order. */

export { canonicalJson } from '../contracts/canonical-json.ts';

/** The sha256 of a value's canonical JSON: the address of estates, assessments and plans as artifacts. */
export const contentSha256 = (value: unknown) =>
  createHash('sha256').update(canonicalJson(value)).digest('hex');
export const planSha256 = (plan: Plan) => contentSha256(plan);

export const loadAssessmentInput = (dir: string): Promise<AssessmentInput> =>
  readValidated(
    join(dir, ASSESSMENT_FILE),
    assessmentInputSchema,
    `no assessment in ${dir}: run "factory assess --workspace ${dir}" first`,
  );

export const loadPlan = (dir: string): Promise<Plan> =>
  readValidated(
    join(dir, PLAN_FILE),
    planSchema,
    `no plan in ${dir}: run "factory plan --workspace ${dir}" first`,
  );

export async function savePlan(
  dir: string,
  plan: Plan,
  report: string,
): Promise<{ path: string; sha256: string }> {
  const path = join(dir, PLAN_FILE);
  const sha256 = planSha256(plan);
  await writeAllAtomically([
    { path, content: `${JSON.stringify(plan, null, 1)}\n` },
    { path: join(dir, PLAN_HASH_FILE), content: `${sha256}  ${PLAN_FILE}\n` },
    { path: join(dir, PLAN_REPORT_FILE), content: report },
  ]);
  return { path, sha256 };
}
