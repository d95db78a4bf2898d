/**
 * The token cache of `factory login`: one file in the user's config folder
 * ($XDG_CONFIG_HOME/migration-factory/credentials.json, else ~/.config/…), readable by the user only
 * (0600 in a 0700 folder), holding a token set per factory server URL and which server was used last.
 * Tokens are secrets: they are never printed, and the file is replaced atomically so a crash mid-write
 * cannot leave half a token set.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, ExitCode } from '../operate/exit-codes.ts';

/** How `factory login` signed in to one server, and the tokens it got. */
export interface ServerSession {
  issuer: string;
  clientId: string;
  audience: string;
  scope: string;
  accessToken: string;
  /** ISO time the access token expires. */
  expiresAt: string;
  refreshToken?: string;
  /** Who signed in, as the server verified them (for `factory logout` and messages). */
  name?: string;
}

interface CredentialsFile {
  /** The server of the latest `factory login`: the CLI acts through it when FACTORY_SERVER_URL is unset. */
  current?: string;
  servers: Record<string, ServerSession>;
}

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() || join(homedir(), '.config');
  return join(base, 'migration-factory', 'credentials.json');
}

/** A server URL as the cache keys it: scheme, host, port and path, without a trailing slash. */
export function normalizeServerUrl(value: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new CliError(`${setting} '${value}' is not a URL (e.g. http://127.0.0.1:8080)`, ExitCode.usage);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`${setting} '${value}': expected an http or https URL`, ExitCode.usage);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function read(path: string): CredentialsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { servers: {} };
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<CredentialsFile>;
    return { ...parsed, servers: parsed.servers ?? {} };
  } catch {
    throw new CliError(
      `${path} is not valid JSON: delete it and run \`factory login\` again`,
      ExitCode.usage,
    );
  }
}

function write(path: string, file: CredentialsFile) {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  // The mode given to writeFileSync is masked by the umask; the file holds tokens, so set it exactly.
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export function loadSession(server: string, env: NodeJS.ProcessEnv = process.env): ServerSession | undefined {
  return read(credentialsPath(env)).servers[server];
}

/** The server of the latest login, if any session is cached. */
export function currentServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = read(credentialsPath(env));
  return file.current && file.servers[file.current] ? file.current : undefined;
}

export function saveSession(server: string, session: ServerSession, env: NodeJS.ProcessEnv = process.env) {
  const path = credentialsPath(env);
  const file = read(path);
  write(path, { current: server, servers: { ...file.servers, [server]: session } });
}

/** Forgets one server's tokens; the file goes when it holds none. Returns the session that was removed. */
export function removeSession(
  server: string,
  env: NodeJS.ProcessEnv = process.env,
): ServerSession | undefined {
  const path = credentialsPath(env);
  const file = read(path);
  const removed = file.servers[server];
  const servers = Object.fromEntries(Object.entries(file.servers).filter(([url]) => url !== server));
  if (Object.keys(servers).length === 0) rmSync(path, { force: true });
  else
    write(path, { ...(file.current && file.current !== server ? { current: file.current } : {}), servers });
  return removed;
}
