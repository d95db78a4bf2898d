/** `factory plan report`: summary and HTML report of the plan as it is on disk (hand edits included). */
import { join } from 'node:path';
import { writeAtomically } from '../../workspace/files.ts';
import { excludedCounts, planSummaryLines } from './plan-summary.ts';
import { renderPlanReport } from './plan-report-html.ts';
import { loadFreshChain } from '../../workspace/chain.ts';
import { PLAN_REPORT_FILE, planSha256 } from '../../workspace/plan-files.ts';

export async function runReport(options: {
  workspace: string;
  json?: boolean;
  print: (line: string) => void;
}) {
  const { plan } = await loadFreshChain(options.workspace);
  const sha256 = planSha256(plan);
  const path = join(options.workspace, PLAN_REPORT_FILE);
  await writeAtomically(path, renderPlanReport(plan, sha256));
  if (options.json === true)
    options.print(
      JSON.stringify(
        {
          ...plan.summary,
          capacity: plan.capacity.peak,
          excluded: excludedCounts(plan),
          sha256,
          reportPath: path,
        },
        null,
        2,
      ),
    );
  else {
    for (const line of planSummaryLines(plan)) options.print(line);
    options.print(`Wrote ${path}`);
  }
}
