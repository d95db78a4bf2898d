/**
 * `factory plan`: plans the workspace's estate and assessment, keeping the pins (and options) of an
 * existing plan.json so manual decisions survive re-planning; writes plan.json, plan.sha256 and
 * plan-report.html atomically. `--explain` prints the recorded reasons for one application or server.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { explain } from '../../domain/plan/explain.ts';
import { defaultPlanOptions, type PlanOptions } from '../../domain/plan/plan-options.ts';
import { noPins, type Plan } from '../../domain/plan/plan-schema.ts';
import { planEstate } from '../../domain/plan/plan-estate.ts';
import { loadFreshAssessment } from '../../workspace/chain.ts';
import { excludedCounts, planSummaryLines } from './plan-summary.ts';
import { renderPlanReport } from './plan-report-html.ts';
import { loadPlan, PLAN_FILE, planSha256, savePlan } from '../../workspace/plan-files.ts';

export interface PlanCommandOptions {
  workspace: string;
  /** First replication day (YYYY-MM-DD); default: the previous plan's, else today. */
  start?: string;
  explain?: string;
  json?: boolean;
  print: (line: string) => void;
}

async function previousPlan(workspace: string): Promise<Plan | undefined> {
  const exists = await readFile(join(workspace, PLAN_FILE)).then(
    () => true,
    () => false,
  );
  // A broken previous plan is an error, not a reason to silently drop its pins.
  return exists ? loadPlan(workspace) : undefined;
}

export async function runPlan(options: PlanCommandOptions): Promise<Plan> {
  // Refuses (exit 4) an assessment made from an older estate: it would plan machines that are gone.
  const [{ estate, assessment, estateSha256, assessmentSha256 }, previous] = await Promise.all([
    loadFreshAssessment(options.workspace),
    previousPlan(options.workspace),
  ]);
  const start = options.start ?? previous?.options.start ?? new Date().toISOString().slice(0, 10);
  const planOptions: PlanOptions = { ...(previous?.options ?? defaultPlanOptions(start)), start };
  const planned = planEstate(estate, assessment, planOptions, previous?.pins ?? noPins());
  // The plan names the estate and assessment it was made from: a wave is refused on other inputs.
  const plan: Plan = {
    ...planned,
    inputs: {
      ...planned.inputs,
      estateSha256,
      assessmentSha256,
    },
  };
  const { path, sha256 } = await savePlan(options.workspace, plan, renderPlanReport(plan, planSha256(plan)));
  if (options.explain !== undefined) {
    const lines = explain(plan, options.explain);
    if (lines === undefined)
      throw new Error(`no application or server named "${options.explain}" in the plan`);
    if (options.json === true) options.print(JSON.stringify({ subject: options.explain, lines }, null, 2));
    else for (const line of lines) options.print(line);
    return plan;
  }
  if (options.json === true)
    options.print(
      JSON.stringify(
        { ...plan.summary, capacity: plan.capacity.peak, excluded: excludedCounts(plan), path, sha256 },
        null,
        2,
      ),
    );
  else {
    for (const line of planSummaryLines(plan)) options.print(line);
    options.print(`Wrote ${path} (sha256 ${sha256}) and the report`);
  }
  return plan;
}
