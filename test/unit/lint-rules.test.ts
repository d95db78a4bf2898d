import { ESLint } from 'eslint';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

// The project's own eslint.config.js. The snippets live at virtual paths no tsconfig holds, so the type-aware
// rules are switched off for them; the import rules under test need no type information.
const eslint = new ESLint({ cwd: root, overrideConfig: [tseslint.configs.disableTypeChecked] });

async function problems(
  filePath: string,
  code: string,
): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return (result?.messages ?? []).map(({ ruleId, message }) => ({ ruleId, message }));
}

describe('import direction and cycle lint rules', () => {
  it('refuses an activity importing from cli/', async () => {
    expect(
      await problems(
        'activities/lint-probe.ts',
        "import { planSummaryLines } from '../cli/plan/plan-summary.ts';\nexport const show = planSummaryLines;\n",
      ),
    ).toEqual([
      {
        ruleId: 'import-x/no-restricted-paths',
        message: expect.stringContaining('Activities run inside workers') as string,
      },
    ]);
  });

  it('refuses a domain file importing a Node built-in, with or without the node: prefix', async () => {
    for (const specifier of ['node:fs', 'fs']) {
      expect(
        await problems(
          'domain/lint-probe.ts',
          `import { readFileSync } from '${specifier}';\nexport const read = readFileSync;\n`,
        ),
      ).toEqual([
        {
          ruleId: 'no-restricted-imports',
          message: expect.stringContaining('domain/ is pure') as string,
        },
      ]);
    }
  });

  it('refuses a domain file importing another project folder, even only a type', async () => {
    expect(
      await problems(
        'domain/lint-probe.ts',
        "import type { WaveWorkflowInput } from '../contracts/workflow-inputs.ts';\nexport type Input = WaveWorkflowInput;\n",
      ),
    ).toEqual([
      {
        ruleId: 'import-x/no-restricted-paths',
        message: expect.stringContaining('domain/ is the pure core') as string,
      },
    ]);
  });

  it('refuses a workflow importing a value from activities/, and accepts its types', async () => {
    expect(
      await problems(
        'workflows/lint-probe.ts',
        "import { createSiteRecoveryActivities } from '../activities/site-recovery.ts';\nexport const make = createSiteRecoveryActivities;\n",
      ),
    ).toEqual([
      {
        ruleId: 'no-restricted-imports',
        message: expect.stringContaining('Workflow code may import only types') as string,
      },
    ]);
    expect(
      await problems(
        'workflows/lint-probe.ts',
        "import type { SiteRecoveryActivities } from '../activities/site-recovery.ts';\nexport type Activities = SiteRecoveryActivities;\n",
      ),
    ).toEqual([]);
  });

  // contracts/ may use pure domain functions (assembleWaveInput validates and derives with them).
  it('refuses contracts importing a non-sandbox package, not a pure domain value', async () => {
    const found = await problems(
      'contracts/lint-probe.ts',
      "import { Client } from '@temporalio/client';\nimport { demoScope } from '../domain/demo.ts';\nexport const both = [Client, demoScope];\n",
    );
    expect(found.map((problem) => problem.message)).toEqual([
      expect.stringContaining('contracts/ is loaded into the Temporal workflow sandbox'),
    ]);
  });

  it('refuses the simulator importing the factory', async () => {
    expect(
      await problems(
        'simulators/lint-probe.ts',
        "import { createDataMigrationActivities } from '../activities/data-migration.ts';\nexport const make = createDataMigrationActivities;\n",
      ),
    ).toEqual([
      {
        ruleId: 'import-x/no-restricted-paths',
        message: expect.stringContaining('The simulator is a separate product') as string,
      },
    ]);
  });

  it('accepts imports that follow the direction', async () => {
    expect(
      await problems(
        'activities/lint-probe.ts',
        [
          "import { ApplicationFailure } from '@temporalio/common';",
          "import { ErrorType } from '../contracts/errors.ts';",
          "import { demoScope } from '../domain/demo.ts';",
          "import { loadPlan } from '../workspace/plan-files.ts';",
          'export const all = [ApplicationFailure, ErrorType, demoScope, loadPlan];',
          '',
        ].join('\n'),
      ),
    ).toEqual([]);
    expect(
      await problems(
        'domain/lint-probe.ts',
        "import { Temporal } from 'temporal-polyfill';\nimport { z } from 'zod';\nimport { demoScope } from './demo.ts';\nexport const all = [Temporal, z, demoScope];\n",
      ),
    ).toEqual([]);
  });

  describe('import cycles', () => {
    // Cycles are found by reading the imported files from disk, so this one is real: two files in a temporary
    // folder under .data/ (git-ignored and outside tsconfig and the normal lint run, so a concurrent
    // `eslint .` or `tsc` never sees them).
    mkdirSync(join(root, '.data'), { recursive: true });
    const folder = mkdtempSync(join(root, '.data', 'lint-cycle-'));
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    it('refuses two modules that import values from each other, and accepts a type-only import back', async () => {
      const first = join(folder, 'first.ts');
      writeFileSync(first, "import { second } from './second.ts';\nexport const first = () => second;\n");
      writeFileSync(
        join(folder, 'second.ts'),
        "import { first } from './first.ts';\nexport const second = () => first;\n",
      );
      const linter = new ESLint({
        cwd: root,
        ignore: false,
        overrideConfig: [tseslint.configs.disableTypeChecked],
      });
      const [cyclic] = await linter.lintFiles([first]);
      expect(cyclic?.messages.map(({ ruleId, message }) => ({ ruleId, message }))).toEqual([
        { ruleId: 'import-x/no-cycle', message: 'Dependency cycle detected' },
      ]);

      // A type-only import back is erased at run time: no cycle.
      const model = join(folder, 'model.ts');
      writeFileSync(
        model,
        "import { describeModel } from './describe.ts';\nexport interface Model {\n  name: string;\n}\nexport const show = describeModel;\n",
      );
      writeFileSync(
        join(folder, 'describe.ts'),
        "import type { Model } from './model.ts';\nexport const describeModel = (model: Model) => model.name;\n",
      );
      const [typeOnly] = await linter.lintFiles([model]);
      expect(typeOnly?.messages).toEqual([]);
    });
  });
});
