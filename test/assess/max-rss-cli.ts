/**
 * Runs the factory CLI with the given arguments, then reports the process's peak resident memory
 * (kilobytes) on stderr as `maxRSS <n>`, so a test can bound the memory of a real command run.
 */
process.on('exit', () => {
  process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS}\n`);
});
await import('../../cli/factory.ts');
