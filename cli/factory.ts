#!/usr/bin/env -S npx tsx
/** The `factory` command. Subcommands load their modules lazily so `factory --help` stays instant. */
import { Command, InvalidArgumentError } from 'commander';

const positiveNumber = (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive number');
  return parsed;
};

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
  .action(async (options: { speed: number }) => {
    const { runStack } = await import('./stack/run-stack.ts');
    await runStack({ speed: options.speed, print: (line) => console.log(line) });
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`factory: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
