// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/**
 * Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O layers.
 * @type {import('eslint').Linter.RulesRecord}
 */
const workflowSandboxRule = {
  'no-restricted-imports': [
    'error',
    {
      paths: builtinModules.flatMap((name) => [
        { name, message: 'Node built-ins are not allowed in workflow code (Temporal sandbox).' },
        {
          name: `node:${name}`,
          message: 'Node built-ins are not allowed in workflow code (Temporal sandbox).',
        },
      ]),
      patterns: [
        {
          group: ['**/activities/**', '**/workers/**', '**/simulators/**', '**/cli/**', '**/scripts/**'],
          allowTypeImports: true,
          message: 'Workflow code may import only types from non-workflow folders; call activities instead.',
        },
        {
          group: [
            '@azure/*',
            '@temporalio/client',
            '@temporalio/worker',
            '@temporalio/activity',
            'node-forge',
          ],
          allowTypeImports: true,
          message: 'This package is not sandbox-safe; workflow code may import only its types.',
        },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.tools/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'error',
    },
  },
  { files: ['workflows/**/*.ts'], rules: workflowSandboxRule },
  prettier,
);

export { workflowSandboxRule };
