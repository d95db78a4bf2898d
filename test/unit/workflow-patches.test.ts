/**
 * The versioning policy (docs/upgrades.md) in code: workflow code checks patches only through the registry
 * in workflows/patches.ts, and every registered patch is still checked somewhere (retiring one is a
 * deliberate change to the registry, not a deleted line).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../cli/stack/temporal-cli.ts';
import { PATCH, WORKFLOW_PATCHES } from '../../workflows/patches.ts';

const workflowsDir = join(projectRoot, 'workflows');
const sources = readdirSync(workflowsDir)
  .filter((f) => f.endsWith('.ts') && f !== 'patches.ts')
  .map((file) => ({ file, text: readFileSync(join(workflowsDir, file), 'utf8') }));
const calls = sources.flatMap(({ file, text }) =>
  [...text.matchAll(/\b(patched|deprecatePatch)\(([^)]*)\)/g)].map((m) => ({
    file,
    fn: m[1]!,
    arg: m[2]!.trim(),
  })),
);

describe('workflow patches', () => {
  it('are checked only through PATCH.<name> from workflows/patches.ts', () => {
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      const name = /^PATCH\.(\w+)$/.exec(call.arg)?.[1];
      expect(name, `${call.file}: ${call.fn}(${call.arg})`).toBeDefined();
      expect(Object.keys(PATCH), `${call.file}: ${call.fn}(${call.arg})`).toContain(name);
    }
  });

  it('are each still checked somewhere', () => {
    for (const [name, patch] of Object.entries(WORKFLOW_PATCHES)) {
      const users = calls.filter((c) => c.arg === `PATCH.${name}`).map((c) => c.file);
      expect(users.length, `${patch.id} is registered but never checked`).toBeGreaterThan(0);
    }
  });

  it('have unique ids and a release version', () => {
    const ids = Object.values(WORKFLOW_PATCHES).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const patch of Object.values(WORKFLOW_PATCHES))
      expect(patch.introducedIn).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
