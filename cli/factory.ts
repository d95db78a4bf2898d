#!/usr/bin/env -S npx tsx
/** The `factory` command. Subcommands load their modules lazily so `factory --help` stays instant. */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { PricingOption } from '../domain/assess/price-book.ts';
import type { PreflightFlags } from './operate/preflight-command.ts';
import type { WaveStartFlags } from './operate/wave-start.ts';

const positiveNumber = (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive number');
  return parsed;
};

const positiveInteger = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError('must be a whole number of at least 1');
  return parsed;
};

interface OperateOptions {
  address?: string;
  namespace?: string;
  workspace?: string;
}

interface ActorOptions {
  by?: string;
  reason: string;
  ticket?: string;
}

interface StackCommandOptions {
  engine: 'dev' | 'cluster';
  speed: number;
  temporalPort: number;
  uiPort: number;
  simulatorPort: number;
  azuritePort: number;
  serverPort: number;
  issuerPort: number;
  dataDir: string;
  workspace?: string;
}

const program = new Command('factory')
  .description('Migration Factory: durable VMware-to-Azure migration waves on Temporal')
  .showHelpAfterError()
  // Usage errors throw instead of exiting, so the one error handler below maps them to exit code 2.
  .exitOverride();

const print = (line: string) => console.log(line);
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Temporal connection flags; without them TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, … and the config file apply. */
const withConnection = (command: Command) =>
  command
    .option(
      '--address <host:port>',
      'Temporal frontend (default: environment / Temporal config, else 127.0.0.1:7233)',
    )
    .option('--namespace <name>', 'Temporal namespace (default: environment / Temporal config, else default)')
    .option(
      '-w, --workspace <dir>',
      'workspace with plan.json (default: $FACTORY_WORKSPACE, the current folder or its .factory)',
    );

/** Who acts, why, and under which change ticket: recorded in the workflow history. */
const withActor = (command: Command) =>
  withConnection(command)
    .option('--by <who>', 'who is acting (default: $FACTORY_OPERATOR, else the OS user)')
    .requiredOption('--reason <text>', 'why (recorded in the audit trail)')
    .option('--ticket <id>', 'change ticket id');

program
  .command('login')
  .description(
    'sign in to the factory server (device code): the CLI then acts through it as you ($FACTORY_SERVER_URL, default the local stack at http://127.0.0.1:8080)',
  )
  .argument('[serverUrl]', 'the factory server')
  .action(async (serverUrl: string | undefined) => {
    const { runLogin } = await import('./login/login-command.ts');
    await runLogin(serverUrl, print);
  });

program
  .command('logout')
  .description('forget the cached tokens of the factory server (the current one by default)')
  .argument('[serverUrl]', 'the factory server')
  .action(async (serverUrl: string | undefined) => {
    const { runLogout } = await import('./login/login-command.ts');
    runLogout(serverUrl, print);
  });

program
  .command('whoami')
  .description('who the factory server sees: your name, roles and the actions they allow')
  .option('--json', 'print JSON')
  .action(async (options: { json?: boolean }) => {
    const { runWhoami } = await import('./login/login-command.ts');
    await runWhoami(options, print);
  });

program
  .command('demo')
  .description(
    'plan a demo estate, start the embedded stack with its server, run its first wave as the local users through the server, print a summary and stop',
  )
  .option('--speed <factor>', 'simulated seconds per real second', positiveNumber, 1200)
  .option('--server-port <port>', 'factory server port (API and dashboard)', positiveNumber, 8080)
  .option('--issuer-port <port>', 'local OpenID Connect issuer port', positiveNumber, 8088)
  .action(async (options: { speed: number; serverPort: number; issuerPort: number }) => {
    const { runDemo } = await import('./demo.ts');
    const result = await runDemo({ ...options, print: (line) => console.log(line) });
    const unfinished = (counts: typeof result.counts) =>
      counts['failed-needs-attention'] + counts['rolled-back'];
    process.exitCode = unfinished(result.counts) + unfinished(result.databaseCounts) === 0 ? 0 : 1;
  });

program
  .command('stack')
  .description(
    'run Temporal (dev server with Web UI 8233, or --engine cluster), the Azure simulator, the workers, the local OIDC issuer and the factory server (8080) until Ctrl-C',
  )
  .option('--speed <factor>', 'simulated seconds per real second', positiveNumber, 600)
  .addOption(
    new Option(
      '--engine <engine>',
      'dev: Temporal dev server (SQLite); cluster: Temporal services on PostgreSQL with mutual TLS (docs/deployment.md)',
    )
      .choices(['dev', 'cluster'])
      .default('dev'),
  )
  .option('--temporal-port <port>', 'Temporal frontend port', positiveNumber, 7233)
  .option('--ui-port <port>', 'Temporal Web UI port', positiveNumber, 8233)
  .option('--simulator-port <port>', 'Azure simulator port', positiveNumber, 8443)
  .option('--azurite-port <port>', 'Azurite blob port (the artifact store)', positiveNumber, 10000)
  .option('--server-port <port>', 'factory server port (API and dashboard)', positiveNumber, 8080)
  .option('--issuer-port <port>', 'local OpenID Connect issuer port', positiveNumber, 8088)
  .option('--data-dir <dir>', 'where Temporal (SQLite), Azurite and simulator state live', '.data')
  .option(
    '-w, --workspace <dir>',
    "seed the simulator with the VMs, appliances and databases of this workspace's plan; the server starts its waves",
  )
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
  .option(
    '--add',
    "merge these files into the workspace's estate (rebuilt from every input imported so far); an identical file is skipped",
  )
  .option(
    '--quarantine',
    'import the good rows; write rows with errors and their errors to quarantine/ in the workspace (default: any error fails the import)',
  )
  .option('--json', 'print the outcome as JSON')
  .action(
    async (
      files: string[],
      options: { workspace: string; add?: boolean; quarantine?: boolean; json?: boolean },
    ) => {
      const { runImport } = await import('./assess/import-command.ts');
      const outcome = await runImport({ paths: files, ...options, print: (line) => console.log(line) });
      process.exitCode = outcome.ok ? 0 : 1;
    },
  );

program
  .command('assess')
  .description(
    'assess the imported estate: readiness, sizing, cost, dependencies, databases; writes assessment.json and report.html',
  )
  .option('-w, --workspace <dir>', 'workspace folder', '.factory')
  .option('--sizing <mode>', 'performance or as-on-premises', 'performance')
  .option('--percentile <p>', 'utilisation percentile: 50, 90, 95 or 99', '95')
  .option('--comfort <factor>', 'comfort factor applied to utilisation', positiveNumber, 1.3)
  .option(
    '--region <name>',
    'Azure region for prices (shipped: eastus; others via `factory prices import`)',
    'eastus',
  )
  .addOption(
    new Option('--pricing <option>', 'payg, ri1/ri3 (1-/3-year reserved instances), sp1/sp3 (savings plan)')
      .choices(['payg', 'ri1', 'ri3', 'sp1', 'sp3'] satisfies PricingOption[])
      .default('payg'),
  )
  .option('--hybrid-benefit', 'Azure Hybrid Benefit: Windows VMs pay no Windows Server licence')
  .option('--burstable', 'allow burstable B-series sizes')
  .option(
    '--infrastructure <names>',
    'comma-separated shared-service servers to leave out of grouping (the appliance, DNS, directory, backup and monitoring servers are found automatically)',
    '',
  )
  .option('--as-of <date>', 'date for end-of-support checks (YYYY-MM-DD, default today)')
  .option('--json', 'print the summary as JSON')
  .option(
    '--compare',
    "list every machine whose readiness differs from the imported Azure Migrate assessment's, with both reasons",
  )
  .action(
    async (options: {
      workspace: string;
      sizing: string;
      percentile: string;
      comfort: number;
      region: string;
      pricing: PricingOption;
      hybridBenefit?: boolean;
      burstable?: boolean;
      infrastructure: string;
      asOf?: string;
      json?: boolean;
      compare?: boolean;
    }) => {
      if (options.sizing !== 'performance' && options.sizing !== 'as-on-premises') {
        throw new InvalidArgumentError('--sizing must be performance or as-on-premises');
      }
      const percentile = Number(options.percentile);
      if (percentile !== 50 && percentile !== 90 && percentile !== 95 && percentile !== 99) {
        throw new InvalidArgumentError('--percentile must be 50, 90, 95 or 99');
      }
      if (options.asOf !== undefined) {
        // Loaded here, not at the top, so `factory --help` stays instant; a bad date is a usage error.
        const { parseCalendarDate } = await import('../domain/calendar-date.ts');
        parseCalendarDate(options.asOf, '--as-of');
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
          pricing: options.pricing,
          hybridBenefit: options.hybridBenefit === true,
        },
        infrastructureServers: options.infrastructure.split(',').filter((s) => s.trim() !== ''),
        ...(options.json === undefined ? {} : { json: options.json }),
        ...(options.compare === undefined ? {} : { compare: options.compare }),
        print: (line) => console.log(line),
      });
    },
  );

program
  .command('prices')
  .description('price lists the assessment uses')
  .command('import')
  .description(
    'store a price list in the workspace: Retail Prices API JSON (pages concatenated or one), the same as CSV, or SKU,Region,Unit price CSV',
  )
  .argument('<file>', 'price list file')
  .option('-w, --workspace <dir>', 'workspace folder', '.factory')
  .option('--json', 'print the outcome as JSON')
  .action(async (file: string, options: { workspace: string; json?: boolean }) => {
    const { runPricesImport } = await import('./assess/prices-command.ts');
    const outcome = await runPricesImport({
      file,
      ...options,
      importedOn: new Date().toISOString().slice(0, 10),
      print,
    });
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
    if (options.start !== undefined) {
      const { parseCalendarDate } = await import('../domain/calendar-date.ts');
      parseCalendarDate(options.start, '--start');
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

program
  .command('artifacts')
  .description('the artifact store that waves are pinned to')
  .command('publish')
  .description(
    "publish the workspace's estate, assessment and plan to the artifact store ($FACTORY_ARTIFACTS_URL or $FACTORY_ARTIFACTS_CONNECTION_STRING) and print their hashes",
  )
  .option('-w, --workspace <dir>', 'workspace with estate.json, assessment.json and plan.json', '.factory')
  .option('--profile <simulator|azure>', "simulator: the embedded stack's Azurite when no store is set")
  .option('--repair', 'restore an artifact whose stored content no longer matches its hash')
  .action(async (options: { workspace: string; profile?: string; repair?: boolean }) => {
    const { runArtifactsPublish } = await import('./operate/artifacts-publish.ts');
    await runArtifactsPublish(options, print);
  });

program
  .command('preflight')
  .description(
    'check, read-only, that Azure is ready for a wave: vault, appliances, agents, networks, storage, vCPU quota, migration runtime, permissions (exit 4 when a check fails)',
  )
  .argument('<waveId>', 'wave id as in plan.json, e.g. wave-01')
  .option(
    '-w, --workspace <dir>',
    'workspace with plan.json (default: $FACTORY_WORKSPACE, the current folder or its .factory)',
  )
  .option(
    '--profile <simulator|azure>',
    'settings profile, as for `wave start` ($FACTORY_PROFILE, default azure)',
  )
  .option('--subscription <id>', 'target subscription ($AZURE_SUBSCRIPTION_ID)')
  .option('--resource-group <name>', 'Azure Migrate project resource group ($AZURE_RESOURCE_GROUP)')
  .option('--location <region>', 'target region ($AZURE_LOCATION)')
  .option('--vmware-site <vcenter=site>', 'Azure Migrate VMware site of a vCenter (repeatable)', collect)
  .option('--target-resource-group <armId>', '($FACTORY_TARGET_RESOURCE_GROUP_ID)')
  .option('--target-network <armId>', '($FACTORY_TARGET_NETWORK_ID)')
  .option('--target-subnet <name>', '($FACTORY_TARGET_SUBNET)')
  .option('--test-network <armId>', '($FACTORY_TEST_NETWORK_ID)')
  .option('--cache-storage-account <armId>', '($FACTORY_CACHE_STORAGE_ACCOUNT_ID)')
  .option('--sql-migration-service <armId>', '($FACTORY_SQL_MIGRATION_SERVICE_ID)')
  .option('--dms-service <armId>', '($FACTORY_DMS_SERVICE_ID)')
  .option('--dms-subnet <armId>', '($FACTORY_DMS_SUBNET_ID)')
  .option('--database-target-resource-group <armId>', '($FACTORY_DATABASE_TARGET_RESOURCE_GROUP_ID)')
  .option('--json', 'print the checks as JSON')
  .action(async (waveId: string, options: PreflightFlags) => {
    const { runPreflight } = await import('./operate/preflight-command.ts');
    await runPreflight(waveId, options, print);
  });

const wave = program
  .command('wave')
  .description('operate migration waves: start, watch, approve, retry, roll back');

withConnection(wave.command('list').description("started waves and the plan's waves not started yet"))
  .option('--json', 'print JSON')
  .action(async (options: OperateOptions & { json?: boolean }) => {
    const { runWaveList } = await import('./operate/wave-list.ts');
    await runWaveList(options, print);
  });

withActor(
  wave
    .command('start')
    .description(
      "start a wave of the workspace's plan, pinned to its plan, estate and assessment (published to the artifact store)",
    )
    .argument('<waveId>', 'wave id as in plan.json, e.g. wave-01'),
)
  .option(
    '--profile <simulator|azure>',
    "settings profile: azure requires every id below; simulator uses the simulator's ($FACTORY_PROFILE, default azure)",
  )
  .option('--subscription <id>', 'Azure Migrate and target subscription ($AZURE_SUBSCRIPTION_ID)')
  .option('--resource-group <name>', 'Azure Migrate project resource group ($AZURE_RESOURCE_GROUP)')
  .option('--location <region>', 'Azure region of the migration services ($AZURE_LOCATION)')
  .option(
    '--vmware-site <vcenter=site>',
    'Azure Migrate VMware site of a vCenter, or one site for all (repeatable; $FACTORY_VMWARE_SITES)',
    collect,
  )
  .option('--target-resource-group <armId>', 'where migrated VMs land ($FACTORY_TARGET_RESOURCE_GROUP_ID)')
  .option('--target-network <armId>', 'production virtual network ($FACTORY_TARGET_NETWORK_ID)')
  .option('--target-subnet <name>', 'subnet of the migrated VMs ($FACTORY_TARGET_SUBNET)')
  .option('--test-network <armId>', 'isolated network for test failovers ($FACTORY_TEST_NETWORK_ID)')
  .option(
    '--cache-storage-account <armId>',
    'replication log storage account ($FACTORY_CACHE_STORAGE_ACCOUNT_ID)',
  )
  .option(
    '--run-as-account <armId>',
    'Azure Migrate run-as account to push the mobility agent to VMs without one ($FACTORY_RUN_AS_ACCOUNT_ID)',
  )
  .option(
    '--sql-migration-service <armId>',
    'SQL migration service for SQL Server databases ($FACTORY_SQL_MIGRATION_SERVICE_ID)',
  )
  .option('--dms-service <armId>', 'classic DMS service for MySQL/PostgreSQL ($FACTORY_DMS_SERVICE_ID)')
  .option('--dms-subnet <armId>', "classic DMS service's subnet ($FACTORY_DMS_SUBNET_ID)")
  .option('--dms-sku <name>', 'classic DMS sku ($FACTORY_DMS_SKU, default Premium_4vCores)')
  .option(
    '--database-target-resource-group <armId>',
    'resource group of the target database servers ($FACTORY_DATABASE_TARGET_RESOURCE_GROUP_ID)',
  )
  .option('--max-concurrent-batches <n>', 'batches in flight at once', positiveInteger, 2)
  .option('--no-require-approval', 'start replicating without waiting for `wave approve`')
  .option('--sign-off', 'wait for `wave sign-off` after each test failover and cutover')
  .option('--cutover-when-ready', "cut each batch over once validated, ignoring the plan's windows")
  .action(async (waveId: string, options: WaveStartFlags) => {
    const { runWaveStart } = await import('./operate/wave-start.ts');
    await runWaveStart(waveId, options, print);
  });

withConnection(
  wave.command('status').description('where the wave stands and what needs a decision').argument('<waveId>'),
)
  .option('--watch', 'keep the view live until the wave ends (plain lines when not a terminal)')
  .option('--interval <seconds>', 'seconds between refreshes while watching', positiveNumber, 2)
  .option('--json', 'print JSON (with --watch: one JSON object per line)')
  .action(
    async (
      waveId: string,
      options: OperateOptions & { watch?: boolean; json?: boolean; interval: number },
    ) => {
      const { runWaveStatus } = await import('./operate/wave-status.ts');
      await runWaveStatus(waveId, options);
    },
  );

withActor(
  wave
    .command('approve')
    .description('approve a wave waiting for its approval or refused by its gate')
    .argument('<waveId>'),
)
  .option('--waive <server=reason>', 'let a VM that is not Ready pass the gate (repeatable)', collect)
  .option(
    '--waive-check <check=reason>',
    'let a failing preflight check pass the gate, e.g. vcpu-quota="increase requested" (repeatable)',
    collect,
  )
  .option('--accept-capacity', "accept the wave's capacity violations")
  .action(
    async (
      waveId: string,
      options: OperateOptions &
        ActorOptions & { waive?: string[]; waiveCheck?: string[]; acceptCapacity?: boolean },
    ) => {
      const { runApprove } = await import('./operate/wave-actions.ts');
      await runApprove(waveId, options, print);
    },
  );

withActor(
  wave
    .command('concurrency')
    .description('change how many batches run at the same time')
    .argument('<waveId>')
    .argument('<n>', 'batches at a time', positiveInteger),
).action(async (waveId: string, n: number, options: OperateOptions & ActorOptions) => {
  const { runConcurrency } = await import('./operate/wave-actions.ts');
  await runConcurrency(waveId, n, options, print);
});

for (const kind of ['pause', 'resume'] as const) {
  withActor(
    wave
      .command(kind)
      .description(kind === 'pause' ? 'pause batches after their current step' : 'resume paused batches')
      .argument('<waveId>'),
  )
    .option('--batch <batchId>', 'only this batch (default: every running batch of the wave)')
    .action(async (waveId: string, options: OperateOptions & ActorOptions & { batch?: string }) => {
      const { runPauseResume } = await import('./operate/wave-actions.ts');
      await runPauseResume(kind, waveId, options, print);
    });
}

withActor(
  wave
    .command('retry')
    .description("re-run a held batch's failed step, or retry parked VMs")
    .argument('<waveId>'),
)
  .requiredOption('--batch <batchId>', 'the batch')
  .option('--vm <names...>', 'only these parked VMs')
  .action(
    async (waveId: string, options: OperateOptions & ActorOptions & { batch: string; vm?: string[] }) => {
      const { runRetry } = await import('./operate/wave-actions.ts');
      await runRetry(waveId, options, print);
    },
  );

withActor(
  wave
    .command('skip')
    .description('defer VMs to a later wave (before the recovery plan is built)')
    .argument('<waveId>'),
)
  .requiredOption('--batch <batchId>', 'the batch')
  .requiredOption('--vm <names...>', 'the VMs to defer')
  .action(
    async (waveId: string, options: OperateOptions & ActorOptions & { batch: string; vm: string[] }) => {
      const { runSkip } = await import('./operate/wave-actions.ts');
      await runSkip(waveId, options, print);
    },
  );

withActor(
  wave
    .command('rollback')
    .description('return a batch to a clean state (until its failover is committed)')
    .argument('<waveId>'),
)
  .requiredOption('--batch <batchId>', 'the batch')
  .action(async (waveId: string, options: OperateOptions & ActorOptions & { batch: string }) => {
    const { runRollback } = await import('./operate/wave-actions.ts');
    await runRollback(waveId, options, print);
  });

withActor(
  wave
    .command('cutover')
    .description("open a batch's cutover window now, or postpone it")
    .argument('<waveId>'),
)
  .requiredOption('--batch <batchId>', 'the batch')
  .option('--now', 'open the cutover window now')
  .option('--force', 'with --now: also outside the planned window')
  .option(
    '--postpone <iso>',
    'move the cutover to this ISO date-time with offset (e.g. 2026-12-05T22:00:00Z), within 2 years',
  )
  .action(
    async (
      waveId: string,
      options: OperateOptions &
        ActorOptions & { batch: string; now?: boolean; force?: boolean; postpone?: string },
    ) => {
      const { runCutover } = await import('./operate/wave-actions.ts');
      await runCutover(waveId, options, print);
    },
  );

withActor(
  wave
    .command('sign-off')
    .description("sign off (or reject) a batch's test failover or cutover")
    .argument('<waveId>'),
)
  .requiredOption('--batch <batchId>', 'the batch')
  .option('--reject', 'reject instead of approving')
  .action(
    async (waveId: string, options: OperateOptions & ActorOptions & { batch: string; reject?: boolean }) => {
      const { runSignOff } = await import('./operate/wave-actions.ts');
      await runSignOff(waveId, options, print);
    },
  );

withActor(
  wave
    .command('cancel')
    .description(
      'stop a wave: no further batch starts and running ones roll back what is not committed (lead)',
    )
    .argument('<waveId>'),
).action(async (waveId: string, options: OperateOptions & ActorOptions) => {
  const { runCancel } = await import('./operate/wave-actions.ts');
  await runCancel(waveId, options, print);
});

withConnection(
  program
    .command('batch')
    .description('batches')
    .command('status')
    .description('one batch and its VMs')
    .argument('<batchId>'),
)
  .option('--json', 'print JSON')
  .action(async (batchId: string, options: OperateOptions & { json?: boolean }) => {
    const { runBatchStatus } = await import('./operate/batch-status.ts');
    await runBatchStatus(batchId, options, print);
  });

const db = program.command('db').description('databases');

withConnection(db.command('status').description('one database migration').argument('<dbId>'))
  .option('--json', 'print JSON')
  .action(async (dbId: string, options: OperateOptions & { json?: boolean }) => {
    const { runDatabaseStatus } = await import('./operate/batch-status.ts');
    await runDatabaseStatus(dbId, options, print);
  });

withActor(
  db
    .command('cutover')
    .description(
      'cut a database that is ready over now (inside its batch window; outside it with --force, lead)',
    )
    .argument('<dbId>'),
)
  .option('--force', 'also outside the planned cutover window (needs the lead role)')
  .action(async (dbId: string, options: OperateOptions & ActorOptions & { force?: boolean }) => {
    const { runDatabaseAction } = await import('./operate/wave-actions.ts');
    await runDatabaseAction('cutover', dbId, options, print);
  });

withActor(db.command('retry').description('retry a database held after a failure').argument('<dbId>')).action(
  async (dbId: string, options: OperateOptions & ActorOptions) => {
    const { runDatabaseAction } = await import('./operate/wave-actions.ts');
    await runDatabaseAction('retry', dbId, options, print);
  },
);

withActor(
  db
    .command('rollback')
    .description('roll a database migration back (until its cutover; lead)')
    .argument('<dbId>'),
).action(async (dbId: string, options: OperateOptions & ActorOptions) => {
  const { runDatabaseAction } = await import('./operate/wave-actions.ts');
  await runDatabaseAction('rollback', dbId, options, print);
});

withConnection(
  program
    .command('audit')
    .description('who did what and when to a wave, its batches and databases, from the workflow histories')
    .argument('<waveId>'),
)
  .option('--json', 'print JSON')
  .action(async (waveId: string, options: OperateOptions & { json?: boolean }) => {
    const { runAudit } = await import('./operate/audit-command.ts');
    await runAudit(waveId, options, print);
  });

program.parseAsync().catch(async (error: unknown) => {
  const { toExit } = await import('./operate/exit-codes.ts');
  const { exitCode, message } = toExit(error);
  if (message) console.error(`factory: ${message}`);
  process.exit(exitCode);
});
