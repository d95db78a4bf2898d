#!/usr/bin/env -S npx tsx
/** The `factory` command. Subcommands load their modules lazily so `factory --help` stays instant. */
import { Command, InvalidArgumentError } from 'commander';

const positiveNumber = (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive number');
  return parsed;
};

interface StackCommandOptions {
  speed: number;
  temporalPort: number;
  uiPort: number;
  simulatorPort: number;
  dataDir: string;
}

const program = new Command('factory')
  .description('Migration Factory: durable VMware-to-Azure migration waves on Temporal')
  .showHelpAfterError();

program
  .command('demo')
  .description('start the embedded stack, migrate the 20-VM demo wave, print a summary and stop')
  .option('--speed <factor>', 'simulated seconds per real second', positiveNumber, 1200)
  .action(async (options: { speed: number }) => {
    const { runDemo } = await import('./demo.ts');
    const result = await runDemo({ speed: options.speed, print: (line) => console.log(line) });
    process.exitCode = result.failed === 0 ? 0 : 1;
  });

program
  .command('stack')
  .description('run Temporal dev server (Web UI 8233), the Azure simulator and the workers until Ctrl-C')
  .option('--speed <factor>', 'simulated seconds per real second', positiveNumber, 600)
  .option('--temporal-port <port>', 'Temporal frontend port', positiveNumber, 7233)
  .option('--ui-port <port>', 'Temporal Web UI port', positiveNumber, 8233)
  .option('--simulator-port <port>', 'Azure simulator port', positiveNumber, 8443)
  .option('--data-dir <dir>', 'where Temporal (SQLite) and simulator state live', '.data')
  .action(async (options: StackCommandOptions) => {
    const { runStack } = await import('./stack/run-stack.ts');
    await runStack({ ...options, print: (line) => console.log(line) });
  });

program
  .command('import')
  .description('validate and merge inventory exports (RVTools, Azure Migrate, catalog, databases) into a workspace')
  .argument('<files...>', 'CSV/xlsx files or folders (an RVTools CSV export is a folder)')
  .option('-w, --workspace <dir>', 'workspace folder', '.factory')
  .option('--json', 'print the outcome as JSON')
  .action(async (files: string[], options: { workspace: string; json?: boolean }) => {
    const { runImport } = await import('./assess/import-command.ts');
    const outcome = await runImport({ paths: files, ...options, print: (line) => console.log(line) });
    process.exitCode = outcome.ok ? 0 : 1;
  });

const wholeNumber = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('must be a whole number');
  return parsed;
};

program
  .command('estate')
  .description('work with estate input files')
  .command('generate')
  .description('write a realistic generated estate (RVTools tabs, Azure Migrate, catalog, databases, dependencies)')
  .requiredOption('--vms <n>', 'number of VMs', wholeNumber)
  .option('--seed <n>', 'random seed (same seed, same files)', wholeNumber, 1)
  .option('--databases <n>', 'number of databases (default 0.85 per VM)', wholeNumber)
  .option('--applications <n>', 'number of applications (default 0.3 per VM)', wholeNumber)
  .option('--connections <n>', 'dependency export rows (default 5 per VM)', wholeNumber)
  .option('-o, --out <dir>', 'folder to write the files to', 'estate')
  .action(
    async (options: {
      vms: number;
      seed: number;
      databases?: number;
      applications?: number;
      connections?: number;
      out: string;
    }) => {
      const { runGenerate } = await import('./assess/generate-command.ts');
      await runGenerate({ ...options, print: (line) => console.log(line) });
    },
  );

program.parseAsync().catch((error: unknown) => {
  console.error(`factory: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
