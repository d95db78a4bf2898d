/** `factory plan validate`: rejects a broken (often hand-edited) plan with errors naming rule and subject. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validatePlan, type PlanError } from '../../domain/plan/validate-plan.ts';
import { loadFreshChain } from '../../workspace/chain.ts';
import { PLAN_HASH_FILE, planSha256 } from '../../workspace/plan-files.ts';

export async function runValidate(options: {
  workspace: string;
  json?: boolean;
  print: (line: string) => void;
}): Promise<{ ok: boolean; errors: PlanError[]; handEdited: boolean }> {
  // A plan of an older assessment may be perfectly consistent and still wrong: refused (exit 4).
  const { plan } = await loadFreshChain(options.workspace);
  const errors = validatePlan(plan);
  const recorded = await readFile(join(options.workspace, PLAN_HASH_FILE), 'utf8').then(
    (text) => text.split(/\s+/)[0],
    () => undefined,
  );
  const handEdited = recorded !== undefined && recorded !== planSha256(plan);
  if (options.json === true)
    options.print(JSON.stringify({ ok: errors.length === 0, handEdited, errors }, null, 2));
  else {
    if (handEdited) options.print('note: plan.json was edited since it was planned (content hash differs)');
    for (const e of errors) options.print(`error [${e.rule}] ${e.message}`);
    options.print(errors.length === 0 ? 'plan is valid' : `${errors.length} error(s)`);
  }
  return { ok: errors.length === 0, errors, handEdited };
}
