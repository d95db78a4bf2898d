/**
 * The plan's files in the workspace: plan.json (the reviewable plan), plan.sha256 (content hash of its
 * canonical JSON, which the Migrate step pins waves by) and plan-report.html. Hashing lives here, at the
 * edge, because it needs node:crypto.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { assessmentInputSchema, type AssessmentInput } from '../domain/plan/assessment-input.ts';
import { planSchema, type Plan } from '../domain/plan/plan-schema.ts';
import { ASSESSMENT_FILE, readValidated, writeAllAtomically } from './files.ts';

export const PLAN_FILE = 'plan.json';
export const PLAN_HASH_FILE = 'plan.sha256';
export const PLAN_REPORT_FILE = 'plan-report.html';

/** Keys that JavaScript orders numerically in any object, whatever the insertion order. */
const indexLikeKey = /^(?:0|[1-9]\d*)$/;

/** JSON with object keys sorted at every level: the same plan always hashes the same. */
export function canonicalJson(value: unknown): string {
  // Native JSON.stringify with sorted objects is several times faster than a hand-written writer,
  // which matters as every command of the chain hashes estates of 10,000 VMs. Objects with
  // numeric-looking keys cannot be re-ordered that way: the writer below handles those values.
  let needsWriter = false;
  const fast = JSON.stringify(value, function (this: unknown, _key, item: unknown) {
    // The writer leaves an undefined array item empty ("[1,]"), JSON.stringify writes null.
    if (item === undefined && Array.isArray(this)) needsWriter = true;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const record = item as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.some((key) => indexLikeKey.test(key))) needsWriter = true;
    if (needsWriter || keys.every((key, i) => i === 0 || (keys[i - 1] ?? '') < key)) return item;
    const sorted: Record<string, unknown> = {};
    for (const key of keys.sort()) sorted[key] = record[key];
    return sorted;
  });
  if (!needsWriter) return fast;
  const parts: string[] = [];
  writeCanonical(value, parts);
  return parts.join('');
}

function writeCanonical(value: unknown, parts: string[]): void {
  if (Array.isArray(value)) {
    parts.push('[');
    value.forEach((item, i) => {
      if (i > 0) parts.push(',');
      writeCanonical(item, parts);
    });
    parts.push(']');
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    parts.push('{');
    let first = true;
    // sort() compares UTF-16 code units, as the published hashes were made.
    for (const key of Object.keys(record).sort()) {
      const item = record[key];
      if (item === undefined) continue;
      parts.push(first ? '' : ',', JSON.stringify(key), ':');
      first = false;
      writeCanonical(item, parts);
    }
    parts.push('}');
  } else parts.push(JSON.stringify(value));
}

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
