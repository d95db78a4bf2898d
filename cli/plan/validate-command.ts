/** `factory plan validate`: rejects a broken (often hand-edited) plan with errors naming rule and subject. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlanExcluded } from '../../domain/plan/plan-schema.ts';
import { notVmwareServers, validatePlan, type PlanError } from '../../domain/plan/validate-plan.ts';
import { loadFreshChain } from '../../workspace/chain.ts';
import { PLAN_HASH_FILE, planSha256 } from '../../workspace/plan-files.ts';

/** Refused servers printed before "… and N more". */
const PRINTED_REFUSED = 20;

export async function runValidate(options: {
  workspace: string;
  json?: boolean;
  print: (line: string) => void;
}): Promise<{ ok: boolean; errors: PlanError[]; handEdited: boolean; notVmware: PlanExcluded[] }> {
  // A plan of an older assessment may be perfectly consistent and still wrong: refused (exit 4).
  const { plan } = await loadFreshChain(options.workspace);
  const errors = validatePlan(plan);
  const recorded = await readFile(join(options.workspace, PLAN_HASH_FILE), 'utf8').then(
    (text) => text.split(/\s+/)[0],
    () => undefined,
  );
  const handEdited = recorded !== undefined && recorded !== planSha256(plan);
  const notVmware = notVmwareServers(plan);
  if (options.json === true)
    options.print(JSON.stringify({ ok: errors.length === 0, handEdited, errors, notVmware }, null, 2));
  else {
    if (handEdited) options.print('note: plan.json was edited since it was planned (content hash differs)');
    for (const e of errors) options.print(`error [${e.rule}] ${e.message}`);
    if (notVmware.length > 0) {
      options.print(`note: ${notVmware.length} servers are not VMware VMs and are refused for waves:`);
      for (const e of notVmware.slice(0, PRINTED_REFUSED)) options.print(`  ${e.name ?? e.id}: ${e.reason}`);
      if (notVmware.length > PRINTED_REFUSED)
        options.print(
          `  … and ${notVmware.length - PRINTED_REFUSED} more (--json and plan-report.html list all)`,
        );
    }
    options.print(errors.length === 0 ? 'plan is valid' : `${errors.length} error(s)`);
  }
  return { ok: errors.length === 0, errors, handEdited, notVmware };
}
