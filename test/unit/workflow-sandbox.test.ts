import { ESLint } from 'eslint';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { workflowSandboxRule } from '../../eslint.config.js';
import { bundleWorkflows } from '../../workers/bundle.ts';

const violation = `import { readFileSync } from 'node:fs';
export async function leaky(): Promise<string> {
  return readFileSync('/etc/hostname', 'utf8');
}
`;

describe('workflow sandbox checks', () => {
  it('the lint rule rejects a Node built-in and an activity implementation imported into workflow code', async () => {
    const eslint = new ESLint({
      overrideConfigFile: true,
      overrideConfig: [
        { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, rules: workflowSandboxRule },
      ],
    });
    const code = `${violation}import { createSiteRecoveryActivities } from '../activities/site-recovery.ts';\nexport const x = createSiteRecoveryActivities;\n`;
    const [result] = await eslint.lintText(code, { filePath: 'workflows/leaky.ts' });
    const messages = result?.messages.map((m) => m.message) ?? [];
    expect(messages).toEqual([
      expect.stringContaining('Node built-ins are not allowed in workflow code'),
      expect.stringContaining('Workflow code may import only types from non-workflow folders'),
    ]);

    const [typeOnly] = await eslint.lintText(
      "import type { SiteRecoveryActivities } from '../activities/site-recovery.ts';\nexport type A = SiteRecoveryActivities;\n",
      { filePath: 'workflows/ok.ts' },
    );
    expect(typeOnly?.messages).toEqual([]);
  });

  it('the workflow bundler refuses workflow code that imports a Node built-in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflow-violation-'));
    const path = join(dir, 'workflows.ts');
    writeFileSync(path, violation);
    const errors: string[] = [];
    const logger = new DefaultLogger('ERROR', (entry) => errors.push(entry.message));
    await expect(bundleWorkflows(path, logger)).rejects.toThrow(/Webpack finished with errors/);
    expect(errors.join('\n')).toMatch(/node:fs/);
  });

  it("the project's own workflows bundle cleanly", async () => {
    const bundle = await bundleWorkflows();
    expect(bundle.code).toContain('migrationWave');
    expect(bundle.code).toContain('migrationBatch');
  });
});
