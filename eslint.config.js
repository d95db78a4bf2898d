// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const root = import.meta.dirname;

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

/**
 * A no-restricted-imports pattern that refuses every package (and every Node built-in, `node:*` or bare) except
 * `allowed` and their subpaths; relative imports are left to the folder zones below.
 * @param {string[]} allowed
 * @param {string} message
 */
const onlyPackages = (allowed, message) => ({
  regex: `^(?![./])(?!(?:${allowed.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})(?:/|$))`,
  caseSensitive: true,
  message,
});

/**
 * Which project folders each layer may import from (resolved paths, so deep relative paths and re-exports cannot
 * slip through). Everything in the repository outside the listed folders is refused; packages resolve into
 * node_modules, which the package rules above govern instead.
 * @param {string} target
 * @param {string[]} allowedFolders
 * @param {string} message
 */
const onlyFolders = (target, allowedFolders, message) => ({
  target: `./${target}`,
  from: '.',
  except: [...allowedFolders, 'node_modules'].map((folder) => `./${folder}`),
  message,
});

const layerZones = [
  onlyFolders(
    'domain',
    ['domain'],
    'domain/ is the pure core shared by workflows, activities, the CLI and the simulator: it imports only its own files.',
  ),
  onlyFolders(
    'contracts',
    ['contracts', 'domain'],
    'contracts/ is what workflows, activities, the CLI and the bench agree on: it imports only domain types.',
  ),
  onlyFolders(
    'workflows',
    ['workflows', 'contracts', 'domain', 'activities'],
    'Workflow code imports contracts, domain and its own files (and activity types): anything else breaks the Temporal sandbox or the layering.',
  ),
  onlyFolders(
    'workspace',
    ['workspace', 'contracts', 'domain'],
    'workspace/ lies beneath activities and the CLI: it imports only domain and contracts.',
  ),
  onlyFolders(
    'activities',
    ['activities', 'workspace', 'contracts', 'domain'],
    'Activities run inside workers: they import workspace, contracts and domain, never the CLI, bench, tests, workers or simulator.',
  ),
  onlyFolders(
    'simulators',
    ['simulators', 'domain'],
    'The simulator is a separate product that stands in for Azure: it imports only domain, never the factory that drives it.',
  ),
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.tools/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'error',
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${root}/tsconfig.json` })],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      // Type-only imports are erased and may go both ways; value cycles make module initialisation order-dependent.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones }],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            onlyPackages(
              // temporal-polyfill is pure JS (calendar arithmetic over Intl), deterministic for given inputs.
              ['zod', 'temporal-polyfill'],
              'domain/ is pure (no Node built-ins, no I/O packages) so workflow code can use it inside the Temporal sandbox; do I/O in activities, workspace or the CLI.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            onlyPackages(
              // @noble/curves is pure JS (Ed25519 over BigInt), deterministic: workflows verify stamps with it.
              ['zod', '@temporalio/common', '@temporalio/workflow', '@noble/curves'],
              'contracts/ is loaded into the Temporal workflow sandbox: it may import only zod, @noble/curves, @temporalio/common and @temporalio/workflow.',
            ),
          ],
        },
      ],
    },
  },
  { files: ['workflows/**/*.ts'], rules: workflowSandboxRule },
  prettier,
);

export { workflowSandboxRule };
