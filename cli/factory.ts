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
    const unfinished = (counts: typeof result.counts) =>
      counts['failed-needs-attention'] + counts['rolled-back'];
    process.exitCode = unfinished(result.counts) + unfinished(result.databaseCounts) === 0 ? 0 : 1;
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
  .description(
    'validate and merge inventory exports (RVTools, Azure Migrate, catalog, databases) into a workspace',
  )
  .argument('<files...>', 'CSV/xlsx files or folders (an RVTools CSV export is a folder)')
  .option('-w, --workspace <dir>', 'workspace folder', '.factory')
  .option('--json', 'print the outcome as JSON')
  .action(async (files: string[], options: { workspace: string; json?: boolean }) => {
    const { runImport } = await import('./assess/import-command.ts');
    const outcome = await runImport({ paths: files, ...options, print: (line) => console.log(line) });
    process.exitCode = outcome.ok ? 0 : 1;
  });

program
  .command('assess')
  .description(
    'assess the imported estate: readiness, sizing, cost, dependencies, databases; writes assessment.json and report.html',
  )
  .option('-w, --workspace <dir>', 'workspace folder', '.factory')
  .option('--sizing <mode>', 'performance or as-on-premises', 'performance')
  .option('--percentile <p>', 'utilisation percentile: 50, 90, 95 or 99', '95')
  .option('--comfort <factor>', 'comfort factor applied to utilisation', positiveNumber, 1.3)
  .option('--region <name>', 'Azure region for prices', 'eastus')
  .option('--burstable', 'allow burstable B-series sizes')
  .option('--infrastructure <names>', 'comma-separated shared-service servers to leave out of grouping', '')
  .option('--as-of <date>', 'date for end-of-support checks (YYYY-MM-DD, default today)')
  .option('--json', 'print the summary as JSON')
  .action(
    async (options: {
      workspace: string;
      sizing: string;
      percentile: string;
      comfort: number;
      region: string;
      burstable?: boolean;
      infrastructure: string;
      asOf?: string;
      json?: boolean;
    }) => {
      if (options.sizing !== 'performance' && options.sizing !== 'as-on-premises') {
        throw new InvalidArgumentError('--sizing must be performance or as-on-premises');
      }
      const percentile = Number(options.percentile);
      if (percentile !== 50 && percentile !== 90 && percentile !== 95 && percentile !== 99) {
        throw new InvalidArgumentError('--percentile must be 50, 90, 95 or 99');
      }
      if (options.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.asOf)) {
        throw new InvalidArgumentError('--as-of must be YYYY-MM-DD');
      }
      const { runAssess } = await import('./assess/assess-command.ts');
      await runAssess({
        workspace: options.workspace,
        ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
        sizing: {
          mode: options.sizing,
          percentile,
          comfortFactor: options.comfort,
          region: options.region,
          allowBurstable: options.burstable === true,
        },
        infrastructureServers: options.infrastructure.split(',').filter((s) => s.trim() !== ''),
        ...(options.json === undefined ? {} : { json: options.json }),
        print: (line) => console.log(line),
      });
    },
  );

const wholeNumber = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('must be a whole number');
  return parsed;
};

program
  .command('estate')
  .description('work with estate input files')
  .command('generate')
  .description(
    'write a realistic generated estate (RVTools tabs, Azure Migrate, catalog, databases, dependencies)',
  )
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

const plan = program
  .command('plan')
  .description(
    'plan waves, batches (≤ 100 VMs), capacity and schedule from the assessment; keeps pins of an existing plan.json',
  )
  .option('-w, --workspace <dir>', 'workspace folder', '.factory')
  .option('--start <date>', "first replication day (YYYY-MM-DD; default the previous plan's, else today)")
  .option('--explain <name>', 'print why an application or server was placed where it is')
  .option('--json', 'print machine-readable output')
  .action(async (options: { workspace: string; start?: string; explain?: string; json?: boolean }) => {
    if (options.start !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.start)) {
      throw new InvalidArgumentError('--start must be YYYY-MM-DD');
    }
    const { runPlan } = await import('./plan/plan-command.ts');
    await runPlan({ ...options, print: (line) => console.log(line) });
  });

plan
  .command('validate')
  .description('check plan.json (also after hand edits) against the planning rules; exit 1 on errors')
  .action(async () => {
    // --workspace and --json are plan's options; commander parses them before or after "validate".
    const options = plan.opts<{ workspace: string; json?: boolean }>();
    const { runValidate } = await import('./plan/validate-command.ts');
    const outcome = await runValidate({ ...options, print: (line) => console.log(line) });
    process.exitCode = outcome.ok ? 0 : 1;
  });

plan
  .command('report')
  .description(
    'print the plan summary and rewrite plan-report.html (Gantt and capacity charts) from plan.json',
  )
  .action(async () => {
    const options = plan.opts<{ workspace: string; json?: boolean }>();
    const { runReport } = await import('./plan/report-command.ts');
    await runReport({ ...options, print: (line) => console.log(line) });
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`factory: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
