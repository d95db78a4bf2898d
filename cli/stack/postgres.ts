/**
 * A PostgreSQL server of the stack's own, from Debian's `postgresql` package (installed with apt-get when
 * missing): its data folder under the stack's (git-ignored) data folder, run as an unprivileged user (the
 * package's `postgres` system user when this process is root, else the current user), listening on
 * 127.0.0.1 only (no Unix socket), with a generated password for its one superuser `temporal`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export const POSTGRES_USER = 'temporal';

export class PostgresSetupError extends Error {
  override name = 'PostgresSetupError';
}

export interface PostgresOptions {
  /** Holds `pgdata/` (the cluster) and `password` (0600, readable by this process only). */
  dir: string;
  port: number;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  host: string;
  port: number;
  user: string;
  /** Generated on first start; never logged. */
  password: string;
  stop(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

/** Debian installs each major version under /usr/lib/postgresql/<major>/bin; the newest one wins. */
function findBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const majors = readdirSync(base)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(base, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(base, majors[0], 'bin');
}

/** The server's bin folder, installing Debian's `postgresql` package first when it is missing. */
export function ensurePostgresInstalled(log: (line: string) => void = () => {}): string {
  const found = findBinDir();
  if (found) return found;
  if (!isRoot())
    throw new PostgresSetupError(
      'PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): run `sudo apt-get install postgresql` and start again.',
    );
  log("Installing PostgreSQL (Debian package 'postgresql') with apt-get ...");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], {
      encoding: 'utf8',
      env,
    });
  let result = install();
  if (result.status !== 0) {
    // A fresh machine has no package lists yet.
    spawnSync('apt-get', ['update'], { encoding: 'utf8', env });
    result = install();
  }
  const installed = findBinDir();
  if (result.status !== 0 || !installed)
    throw new PostgresSetupError(
      `apt-get install postgresql failed (exit ${result.status ?? result.error?.message}):\n${(result.stderr || result.stdout).trim().slice(-2000)}`,
    );
  return installed;
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/** Who runs the server: PostgreSQL refuses root, so root hands it to the package's `postgres` user. */
function serverUser(): RunAs | undefined {
  if (!isRoot()) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0)
    throw new PostgresSetupError(
      "running as root, and there is no 'postgres' system user to run PostgreSQL as (Debian's postgresql package creates it): install the package or run as an unprivileged user.",
    );
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name: 'postgres' };
}

/** The server user must reach its data folder: every folder above it needs search (x) permission for it. */
function assertReachable(dir: string, user: RunAs) {
  for (let current = dirname(dir); ; current = dirname(current)) {
    const stat = statSync(current);
    const reachable =
      stat.uid === user.uid
        ? stat.mode & 0o100
        : stat.gid === user.gid
          ? stat.mode & 0o010
          : stat.mode & 0o001;
    if (!reachable)
      throw new PostgresSetupError(
        `PostgreSQL runs as the '${user.name}' user, which cannot enter ${current} (mode ${(stat.mode & 0o777).toString(8)}): choose a data folder under a path it can traverse, or \`chmod o+x ${current}\`.`,
      );
    if (dirname(current) === current) return;
  }
}

function spawnOptions(user: RunAs | undefined) {
  return {
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    // No HOME or PG* variables of the caller's: the server reads only what we pass.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
  };
}

/** Creates the cluster once (initdb); later starts reuse it and its stored password. */
function initialise(
  binDir: string,
  dir: string,
  user: RunAs | undefined,
  log: (line: string) => void,
): string {
  const dataDir = join(dir, 'pgdata');
  const passwordFile = join(dir, 'password');
  if (existsSync(join(dataDir, 'PG_VERSION'))) {
    if (!existsSync(passwordFile))
      throw new PostgresSetupError(
        `${dataDir} exists but ${passwordFile} (its generated password) is missing: delete ${dir} to start afresh.`,
      );
    return readFileSync(passwordFile, 'utf8').trim();
  }
  log(`Creating a PostgreSQL cluster in ${dataDir} ...`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user) {
    assertReachable(dataDir, user);
    chownSync(dataDir, user.uid, user.gid);
  }
  const password = randomBytes(24).toString('base64url');
  // initdb reads the password from a file the server user can read; it is removed right after.
  const pwFile = join(dir, `.initdb-password-${process.pid}`);
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (user) chownSync(pwFile, user.uid, user.gid);
  try {
    const result = spawnSync(
      join(binDir, 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        POSTGRES_USER,
        '--pwfile',
        pwFile,
        '--auth=scram-sha-256',
        '-E',
        'UTF8',
        '--no-instructions',
      ],
      { ...spawnOptions(user), encoding: 'utf8' },
    );
    if (result.status !== 0)
      throw new PostgresSetupError(
        `initdb failed (exit ${result.status}):\n${(result.stderr || result.stdout).trim()}`,
      );
  } finally {
    rmSync(pwFile, { force: true });
  }
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  chmodSync(passwordFile, 0o600);
  return password;
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const log = options.log ?? (() => {});
  const binDir = ensurePostgresInstalled(log);
  mkdirSync(options.dir, { recursive: true, mode: 0o711 });
  const user = serverUser();
  const password = initialise(binDir, options.dir, user, log);
  const host = '127.0.0.1';
  const child: ChildProcess = spawn(
    join(binDir, 'postgres'),
    [
      '-D',
      join(options.dir, 'pgdata'),
      '-c',
      `listen_addresses=${host}`,
      '-c',
      `port=${options.port}`,
      // TCP only: no socket file to place or clean up.
      '-c',
      'unix_socket_directories=',
      // Four services with connection pools of their own (see cluster-config.ts), and the tests' readers.
      '-c',
      'max_connections=200',
    ],
    { ...spawnOptions(user), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  // pg_isready asks the postmaster without logging in, so no password is needed for it.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const exitCode = await Promise.race([
      exited,
      new Promise<'running'>((r) => setTimeout(() => r('running'), 200)),
    ]);
    if (exitCode !== 'running')
      throw new PostgresSetupError(
        `PostgreSQL exited with code ${exitCode} before it was ready:\n${output.trim()}`,
      );
    const ready = spawnSync(join(binDir, 'pg_isready'), ['-h', host, '-p', String(options.port), '-q']);
    if (ready.status === 0) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new PostgresSetupError(
        `PostgreSQL did not accept connections on ${host}:${options.port} within 60 s\n${output}`,
      );
    }
  }
  log(`PostgreSQL listening on ${host}:${options.port}`);
  return {
    host,
    port: options.port,
    user: POSTGRES_USER,
    password,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGINT is PostgreSQL's "fast" shutdown: it ends sessions and checkpoints.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
