/**
 * `factory login [serverUrl]`, `factory logout` and `factory whoami`. Login reads how to sign in from the
 * server (`GET /api/auth-config`), runs the device-code flow, caches the tokens (cli/login/credentials.ts)
 * and asks the server who it now sees; whoami asks the server (`GET /api/me`).
 */
import { CliError, ExitCode } from '../operate/exit-codes.ts';
import {
  configuredServer,
  DEFAULT_SERVER_URL,
  fetchAuthConfig,
  FactoryServerClient,
  signInSettings,
} from '../server-client.ts';
import { credentialsPath, normalizeServerUrl, removeSession, saveSession } from './credentials.ts';
import { deviceCodeSignIn } from './oidc.ts';

type Print = (line: string) => void;

/** The server named on the command line, else FACTORY_SERVER_URL, else the embedded stack's. */
function serverUrl(given: string | undefined, env: NodeJS.ProcessEnv): string {
  if (given !== undefined) return normalizeServerUrl(given, 'the server URL');
  const fromEnv = env.FACTORY_SERVER_URL?.trim();
  return fromEnv ? normalizeServerUrl(fromEnv, 'FACTORY_SERVER_URL') : DEFAULT_SERVER_URL;
}

export async function runLogin(
  given: string | undefined,
  print: Print,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const url = serverUrl(given, env);
  const settings = signInSettings(await fetchAuthConfig(url), env);
  const session = await deviceCodeSignIn(settings, (prompt) => {
    print(`To sign in to ${url}, open ${prompt.verificationUri} and enter the code ${prompt.userCode}`);
    if (prompt.verificationUriComplete) print(`  (or open ${prompt.verificationUriComplete})`);
    print(`Waiting for the sign-in (the code expires in ${Math.round(prompt.expiresInSeconds / 60)} min)…`);
  });
  saveSession(url, session, env);
  const me = await new FactoryServerClient(url, env).me().catch((error: unknown) => {
    // Signed in, but the server gives this person no role: keep the tokens, say so.
    if (error instanceof CliError && error.exitCode === ExitCode.refused) return error;
    throw error;
  });
  if (me instanceof CliError) {
    print(`Signed in to ${url}, but ${me.message}`);
    process.exitCode = ExitCode.refused;
    return;
  }
  saveSession(url, { ...session, name: me.name }, env);
  print(`Signed in to ${url} as ${me.name} (${me.roles.join(', ')}).`);
  print(`Tokens are cached in ${credentialsPath(env)}; the CLI now acts through this server.`);
}

export function runLogout(given: string | undefined, print: Print, env: NodeJS.ProcessEnv = process.env) {
  const url = given !== undefined ? normalizeServerUrl(given, 'the server URL') : configuredServer(env);
  const removed = url === undefined ? undefined : removeSession(url, env);
  if (!removed) {
    print(url === undefined ? 'Not signed in to any factory server.' : `Not signed in to ${url}.`);
    return;
  }
  print(
    `Signed out of ${url}${removed.name ? ` (${removed.name})` : ''}; its tokens are removed from ${credentialsPath(env)}.`,
  );
}

export async function runWhoami(
  options: { json?: boolean },
  print: Print,
  env: NodeJS.ProcessEnv = process.env,
) {
  const url = configuredServer(env);
  if (url === undefined)
    throw new CliError(
      'not signed in to a factory server: run `factory login` (or set FACTORY_SERVER_URL)',
      ExitCode.notSignedIn,
    );
  const me = await new FactoryServerClient(url, env).me();
  if (options.json) {
    print(JSON.stringify({ server: url, ...me }, null, 2));
    return;
  }
  print(`${me.name} (${me.subject}) on ${url}`);
  print(`  roles: ${me.roles.join(', ') || 'none'}`);
  print(`  may: ${me.actions.join(', ') || 'read only'}`);
}
