/**
 * estate.json → assessment.json → plan.json form a chain by content hash: the assessment records the
 * sha256 of the estate it was made from, the plan that of its assessment (and estate). A command that
 * reads a successor refuses it when its predecessor changed since (`factory import` again without
 * `assess`, `assess` again without `plan`), naming the command that brings it up to date. A file that
 * records no hash (written before the chain existed) cannot be proven fresh and is refused the same way.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Estate } from '../domain/inventory/estate-schema.ts';
import type { AssessmentInput } from '../domain/plan/assessment-input.ts';
import type { Plan } from '../domain/plan/plan-schema.ts';
import { ASSESSMENT_FILE, ESTATE_FILE, loadEstate } from './files.ts';
import { contentSha256, loadAssessmentInput, loadPlan, PLAN_FILE } from './plan-files.ts';

/** A workspace file made from an older (or unknown) predecessor; the CLI exits 4. */
export class StaleWorkspaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StaleWorkspaceError';
  }
}

export const staleAssessmentMessage = (workspace: string) =>
  `${ASSESSMENT_FILE} was made from an older ${ESTATE_FILE}: run \`factory assess --workspace ${workspace}\``;
export const stalePlanMessage = (workspace: string) =>
  `${PLAN_FILE} was made from an older ${ASSESSMENT_FILE}: run \`factory plan --workspace ${workspace}\``;
export const missingAssessmentMessage = (workspace: string) =>
  `no ${ASSESSMENT_FILE} in ${workspace}: run \`factory assess --workspace ${workspace}\``;

/** Refuses an assessment that was not made from this estate. */
export function checkAssessmentFresh(
  estate: Estate,
  assessment: AssessmentInput,
  workspace: string,
): { estateSha256: string; assessmentSha256: string } {
  const estateSha256 = contentSha256(estate);
  if (assessment.estateSha256 !== estateSha256)
    throw new StaleWorkspaceError(staleAssessmentMessage(workspace));
  return { estateSha256, assessmentSha256: contentSha256(assessment) };
}

/** Refuses a plan that was not made from this assessment (and estate). */
export function checkPlanFresh(
  plan: Plan,
  hashes: { estateSha256: string; assessmentSha256: string },
  workspace: string,
): void {
  if (
    plan.inputs.assessmentSha256 !== hashes.assessmentSha256 ||
    (plan.inputs.estateSha256 !== undefined && plan.inputs.estateSha256 !== hashes.estateSha256)
  )
    throw new StaleWorkspaceError(stalePlanMessage(workspace));
}

const fileExists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The estate and an assessment proven to be made from it; a missing assessment is refused too. */
export async function loadFreshAssessment(workspace: string) {
  const estate = await loadEstate(workspace);
  if (!(await fileExists(join(workspace, ASSESSMENT_FILE))))
    throw new StaleWorkspaceError(missingAssessmentMessage(workspace));
  const assessment = await loadAssessmentInput(workspace);
  const hashes = checkAssessmentFresh(estate, assessment, workspace);
  return { estate, assessment, ...hashes };
}

/** Estate, assessment and plan, each proven to be made from its predecessor. */
export async function loadFreshChain(workspace: string) {
  const [estate, assessment, plan] = await Promise.all([
    loadEstate(workspace),
    loadAssessmentInput(workspace),
    loadPlan(workspace),
  ]);
  const hashes = checkAssessmentFresh(estate, assessment, workspace);
  checkPlanFresh(plan, hashes, workspace);
  return { estate, assessment, plan, ...hashes };
}
