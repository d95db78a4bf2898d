/** Which workspace an operate command reads: `-w/--workspace`, `$FACTORY_WORKSPACE`, or the current folder. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PLAN_FILE } from '../../workspace/plan-files.ts';

/**
 * An absolute path (workers read the pinned plan from it). Without a flag: the current folder when it
 * holds a plan, else its `.factory` workspace (the default of `factory plan`) when that does.
 */
export function resolveWorkspace(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.FACTORY_WORKSPACE) return resolve(env.FACTORY_WORKSPACE);
  const here = process.cwd();
  if (!existsSync(join(here, PLAN_FILE)) && existsSync(join(here, '.factory', PLAN_FILE)))
    return join(here, '.factory');
  return here;
}
