/**
 * Builds the Temporal server (`temporal-server`, cmd/server) and its SQL schema tool (`temporal-sql-tool`,
 * cmd/tools/sql) from the Go module `go.temporal.io/server` at a pinned version, with the module's own go.mod
 * and go.sum, and caches them with the PostgreSQL schema files of the same version; likewise the Web UI
 * server from `github.com/temporalio/ui-server/v2`. Each is found in
 *   1. `.tools/<name>/<version>/` in the project (git-ignored), else
 *   2. `${XDG_CACHE_HOME:-~/.cache}/migration-factory/<name>/<version>/` for the whole machine, so a fresh
 *      clone (CI clones into a temporary folder) copies the binaries instead of rebuilding them, else
 *   3. a build through the Go module proxy (minutes on two cores), into both caches.
 * The modules' go.mod need Go >= 1.26.10: the go command fetches the toolchain named by GOTOOLCHAIN.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from './temporal-cli.ts';

/** Newest server release the Go module proxy served when this was pinned (2026-12). */
export const TEMPORAL_SERVER_VERSION = 'v1.32.2';
/**
 * The Web UI server (its module embeds the built UI). v2.58.x needs go.temporal.io/api v1.64.0, which the
 * module proxy does not serve; v2.56.4 is the newest whose dependencies it does.
 */
export const TEMPORAL_UI_SERVER_VERSION = 'v2.56.4';
/** Both go.mod files say `go 1.26.10`; this is the toolchain the machine's Go fetches for them. */
export const TEMPORAL_SERVER_GOTOOLCHAIN = 'go1.27.3';

/** A Go module built into a cache folder: binaries from its packages, and folders copied from it. */
interface GoProduct {
  module: string;
  version: string;
  /** Folder name under .tools/ and the machine cache. */
  cacheName: string;
  binaries: { file: string; pkg: string }[];
  copies: { from: string; to: string }[];
}

const serverProduct: GoProduct = {
  module: 'go.temporal.io/server',
  version: TEMPORAL_SERVER_VERSION,
  cacheName: 'temporal-server',
  binaries: [
    { file: 'temporal-server', pkg: './cmd/server' },
    { file: 'temporal-sql-tool', pkg: './cmd/tools/sql' },
  ],
  copies: [{ from: 'schema/postgresql/v12', to: 'schema/postgresql/v12' }],
};

const uiProduct: GoProduct = {
  module: 'github.com/temporalio/ui-server/v2',
  version: TEMPORAL_UI_SERVER_VERSION,
  cacheName: 'temporal-ui-server',
  binaries: [{ file: 'temporal-ui-server', pkg: './cmd/server' }],
  copies: [],
};

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

const projectCacheDir = (product: GoProduct) =>
  join(projectRoot, '.tools', product.cacheName, product.version);

export function machineCacheDir(
  product: GoProduct = serverProduct,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'migration-factory', product.cacheName, product.version);
}

function complete(product: GoProduct, dir: string): boolean {
  try {
    for (const { file } of product.binaries) accessSync(join(dir, file), constants.X_OK);
  } catch {
    return false;
  }
  return product.copies.every(({ to }) => existsSync(join(dir, to)));
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

/** Builds into the machine cache (through a staging folder). */
async function build(product: GoProduct, target: string, log: (line: string) => void): Promise<void> {
  const go = process.env.GO || 'go';
  const started = Date.now();
  log(`Building ${product.module}@${product.version} (Go ${TEMPORAL_SERVER_GOTOOLCHAIN}) ...`);
  const download = JSON.parse(
    await run(go, ['mod', 'download', '-json', `${product.module}@${product.version}`], projectRoot, log),
  ) as { Dir?: string; Error?: string };
  if (!download.Dir)
    throw new TemporalServerBuildError(`go mod download: ${download.Error ?? 'no module folder'}`);
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // Built inside the module folder: its go.mod and go.sum pin every dependency exactly as released.
  for (const { file, pkg } of product.binaries)
    await run(go, ['build', '-trimpath', '-o', join(staging, file), pkg], download.Dir, log);
  for (const { from, to } of product.copies)
    cpSync(join(download.Dir, from), join(staging, to), { recursive: true });
  rmSync(target, { recursive: true, force: true });
  mkdirSync(resolve(target, '..'), { recursive: true });
  renameSync(staging, target);
  log(`Built ${product.module}@${product.version} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** The product's cache folder in the project: copied from the machine's cache, which is built first if need be. */
async function ensureBuilt(product: GoProduct, log: (line: string) => void): Promise<string> {
  const project = projectCacheDir(product);
  if (complete(product, project)) return project;
  const machine = machineCacheDir(product);
  if (!complete(product, machine)) await build(product, machine, log);
  copyCache(machine, project);
  return project;
}

/** The pinned server's binaries and schema, from a cache or built now. */
export async function ensureTemporalServer(
  log: (line: string) => void = () => {},
): Promise<TemporalServerBinaries> {
  return layout(await ensureBuilt(serverProduct, log));
}

/** The pinned Web UI server's binary, from a cache or built now. */
export async function ensureTemporalUiServer(log: (line: string) => void = () => {}): Promise<string> {
  return join(await ensureBuilt(uiProduct, log), 'temporal-ui-server');
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
    console.log(await ensureTemporalUiServer((line) => console.log(line)));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
