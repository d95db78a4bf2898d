/**
 * Builds the Temporal server (`temporal-server`, cmd/server) and its SQL schema tool (`temporal-sql-tool`,
 * cmd/tools/sql) from the Go module `go.temporal.io/server` at a pinned version, with the module's own go.mod
 * and go.sum, and caches them with the PostgreSQL schema files of the same version:
 *   1. `.tools/temporal-server/<version>/` in the project (git-ignored), else
 *   2. `${XDG_CACHE_HOME:-~/.cache}/migration-factory/temporal-server/<version>/` for the whole machine, so a
 *      fresh clone (CI clones into a temporary folder) copies the binaries instead of rebuilding them, else
 *   3. a build through the Go module proxy (a few minutes on two cores), into both caches.
 * The module's go.mod needs Go >= 1.26.10: the go command fetches the toolchain named by GOTOOLCHAIN.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from './temporal-cli.ts';

/** Newest server release the Go module proxy served when this was pinned (2026-12). */
export const TEMPORAL_SERVER_VERSION = 'v1.32.2';
/** Its go.mod says `go 1.26.10`; this is the toolchain the machine's Go fetches for it. */
export const TEMPORAL_SERVER_GOTOOLCHAIN = 'go1.27.3';
const modulePath = 'go.temporal.io/server';

export interface TemporalServerBinaries {
  version: string;
  serverBin: string;
  sqlToolBin: string;
  /** schema/postgresql/v12 of the module: `temporal/` and `visibility/`, each with `versioned/`. */
  postgresSchemaDir: string;
}

const layout = (dir: string): TemporalServerBinaries => ({
  version: TEMPORAL_SERVER_VERSION,
  serverBin: join(dir, 'temporal-server'),
  sqlToolBin: join(dir, 'temporal-sql-tool'),
  postgresSchemaDir: join(dir, 'schema', 'postgresql', 'v12'),
});

export const projectCacheDir = () => join(projectRoot, '.tools', 'temporal-server', TEMPORAL_SERVER_VERSION);

export function machineCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'migration-factory', 'temporal-server', TEMPORAL_SERVER_VERSION);
}

function complete(dir: string): boolean {
  const { serverBin, sqlToolBin, postgresSchemaDir } = layout(dir);
  try {
    accessSync(serverBin, constants.X_OK);
    accessSync(sqlToolBin, constants.X_OK);
  } catch {
    return false;
  }
  return existsSync(join(postgresSchemaDir, 'temporal', 'versioned'));
}

/** Copies a finished cache folder to `to` through a temporary sibling, so `to` is never half-written. */
function copyCache(from: string, to: string) {
  const staging = `${to}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  cpSync(from, staging, { recursive: true });
  rmSync(to, { recursive: true, force: true });
  renameSync(staging, to);
}

export class TemporalServerBuildError extends Error {
  override name = 'TemporalServerBuildError';
}

function run(command: string, args: string[], cwd: string, log: (line: string) => void): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, GOTOOLCHAIN: TEMPORAL_SERVER_GOTOOLCHAIN, GOFLAGS: '-buildvcs=false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8000);
    });
    child.once('error', (error) =>
      reject(
        new TemporalServerBuildError(
          `cannot run ${command} (${error.message}): the Temporal server is built with Go; install Go ≥ 1.21 (it fetches ${TEMPORAL_SERVER_GOTOOLCHAIN} itself) or put prebuilt binaries in ${machineCacheDir()}`,
        ),
      ),
    );
    child.once('close', (code) => {
      if (code === 0) resolvePromise(stdout);
      else {
        log(stderr.trim());
        reject(
          new TemporalServerBuildError(`${command} ${args.join(' ')} exited with ${code}:\n${stderr.trim()}`),
        );
      }
    });
  });
}

/** Builds into the machine cache (through a staging folder) and returns it. */
async function build(target: string, log: (line: string) => void): Promise<void> {
  const go = process.env.GO || 'go';
  const started = Date.now();
  log(
    `Building Temporal server ${TEMPORAL_SERVER_VERSION} from ${modulePath} (Go ${TEMPORAL_SERVER_GOTOOLCHAIN}) ...`,
  );
  const download = JSON.parse(
    await run(go, ['mod', 'download', '-json', `${modulePath}@${TEMPORAL_SERVER_VERSION}`], projectRoot, log),
  ) as { Dir?: string; Error?: string };
  if (!download.Dir)
    throw new TemporalServerBuildError(`go mod download: ${download.Error ?? 'no module folder'}`);
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const out = layout(staging);
  // Built inside the module folder: its go.mod and go.sum pin every dependency exactly as released.
  await run(go, ['build', '-trimpath', '-o', out.serverBin, './cmd/server'], download.Dir, log);
  await run(go, ['build', '-trimpath', '-o', out.sqlToolBin, './cmd/tools/sql'], download.Dir, log);
  cpSync(join(download.Dir, 'schema', 'postgresql', 'v12'), out.postgresSchemaDir, { recursive: true });
  rmSync(target, { recursive: true, force: true });
  mkdirSync(resolve(target, '..'), { recursive: true });
  renameSync(staging, target);
  log(`Built Temporal server ${TEMPORAL_SERVER_VERSION} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** The pinned server's binaries and schema, from a cache or built now. */
export async function ensureTemporalServer(
  log: (line: string) => void = () => {},
): Promise<TemporalServerBinaries> {
  const project = projectCacheDir();
  if (complete(project)) return layout(project);
  const machine = machineCacheDir();
  if (!complete(machine)) await build(machine, log);
  copyCache(machine, project);
  return layout(project);
}

/** `temporal-server --version`, to check a cached binary runs on this machine. */
export function serverVersion(binaries: TemporalServerBinaries): string {
  const result = spawnSync(binaries.serverBin, ['--version'], { encoding: 'utf8' });
  return (result.stdout || result.stderr).trim();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const binaries = await ensureTemporalServer((line) => console.log(line));
    console.log(`${binaries.serverBin}\n${serverVersion(binaries)}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
