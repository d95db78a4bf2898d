/**
 * The Temporal connection of every factory process (workers and the `factory` CLI), resolved in one place so
 * the two can never disagree: address, namespace, TLS (server CA, client certificate, server name), API key
 * and gRPC metadata from TEMPORAL_* variables and the Temporal config file, through @temporalio/envconfig,
 * exactly as the `temporal` CLI and the other SDKs read them.
 */
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile } from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/worker';
import { existsSync, readFileSync } from 'node:fs';
import { platform } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  /** `undefined`/`false`: plain gRPC; `true`: TLS with the system roots; an object: custom CA / client cert. */
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}

/** A Temporal client configuration that cannot be used; the message names the variable or file to fix. */
export class TemporalConfigError extends Error {
  override name = 'TemporalConfigError';
}

/** Explicit choices (CLI flags) that win over the environment and the config file. */
export interface TemporalConnectionOverrides {
  address?: string;
  namespace?: string;
}

/** The TLS files envconfig reads: the variable that sets each, and its key in a config-file profile. */
const tlsSources = [
  { field: 'serverCACert', variable: 'TEMPORAL_TLS_SERVER_CA_CERT', key: 'server_ca_cert' },
  { field: 'clientCert', variable: 'TEMPORAL_TLS_CLIENT_CERT', key: 'client_cert' },
  { field: 'clientKey', variable: 'TEMPORAL_TLS_CLIENT_KEY', key: 'client_key' },
] as const;

/**
 * Resolves the connection from `env` (and the config file it points at: TEMPORAL_CONFIG_FILE, else
 * temporalio/temporal.toml in the user's config directory, profile TEMPORAL_PROFILE or `default`).
 * Reads every certificate and key now, so a bad configuration fails at start-up naming what to fix.
 */
export function resolveTemporalConnection(
  env: NodeJS.ProcessEnv = process.env,
  overrides: TemporalConnectionOverrides = {},
): TemporalConnectionSettings {
  const variables = definedVariables(env);
  const configFile = configFileDescription(variables);
  if (variables.TEMPORAL_CONFIG_FILE !== undefined && !existsSync(variables.TEMPORAL_CONFIG_FILE)) {
    // envconfig treats a missing file as "no file"; a file named explicitly must exist.
    throw new TemporalConfigError(
      `TEMPORAL_CONFIG_FILE names ${variables.TEMPORAL_CONFIG_FILE}, which does not exist: create it or unset TEMPORAL_CONFIG_FILE.`,
    );
  }
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: variables });
  } catch (error) {
    // envconfig indexes the file's `profile` table without checking it exists (a TypeError then).
    const problem = error instanceof TypeError ? 'the file has no [profile.<name>] tables' : messageOf(error);
    throw new TemporalConfigError(
      `cannot read the Temporal client configuration (${configFile}, profile ${variables.TEMPORAL_PROFILE ?? 'default'}): ${problem}`,
    );
  }
  const tls = profile.tls && { ...profile.tls };
  if (tls && !tls.disabled) {
    for (const { field, variable, key } of tlsSources) {
      const source = tls[field];
      if (source === undefined) continue;
      const origin =
        'path' in source
          ? variables[`${variable}_PATH`] === source.path
            ? `${variable}_PATH (${source.path})`
            : `tls.${key}_path (${source.path}) in ${configFile}`
          : variables[`${variable}_DATA`] !== undefined
            ? `${variable}_DATA`
            : `tls.${key}_data in ${configFile}`;
      let pem: string;
      try {
        pem =
          'path' in source ? readFileSync(source.path, 'utf8') : Buffer.from(source.data).toString('utf8');
      } catch (error) {
        throw new TemporalConfigError(`cannot read ${origin}: ${messageOf(error)}`);
      }
      if (!pem.includes('-----BEGIN ')) {
        throw new TemporalConfigError(`${origin} is not PEM: expected a "-----BEGIN …" block.`);
      }
      tls[field] = { data: pem };
    }
    if ((tls.clientCert === undefined) !== (tls.clientKey === undefined)) {
      throw new TemporalConfigError(
        'a TLS client certificate needs its key and a key needs its certificate: set both ' +
          'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (or tls.client_cert_path and ' +
          `tls.client_key_path in ${configFile}), or neither.`,
      );
    }
  }
  const { namespace, connectionOptions } = toClientOptions({ ...profile, ...(tls ? { tls } : {}) });
  const { apiKey, metadata } = connectionOptions;
  return {
    address: overrides.address ?? connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: overrides.namespace ?? namespace ?? DEFAULT_TEMPORAL_NAMESPACE,
    ...(connectionOptions.tls === undefined || connectionOptions.tls === null
      ? {}
      : { tls: connectionOptions.tls }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(metadata === undefined ? {} : { metadata: metadata as Record<string, string> }),
  };
}

/** One line for logs and errors, without secrets: `host:port namespace ns (TLS, client certificate, API key)`. */
export function describeTemporalConnection(settings: TemporalConnectionSettings): string {
  const { tls } = settings;
  const security = [
    ...(tls ? ['TLS'] : []),
    ...(typeof tls === 'object' && tls.serverRootCACertificate ? ['custom CA'] : []),
    ...(typeof tls === 'object' && tls.clientCertPair ? ['client certificate'] : []),
    ...(settings.apiKey === undefined ? [] : ['API key']),
  ];
  return `${settings.address} namespace ${settings.namespace}${security.length ? ` (${security.join(', ')})` : ''}`;
}

/** The TLS failures the settings explain (rustls's names for them), and which setting to change for each. */
const tlsFailureHints: { pattern: RegExp; hint: string }[] = [
  {
    pattern: /CertificateRequired/,
    hint:
      'the server asks for a client certificate: set TEMPORAL_TLS_CLIENT_CERT_PATH and ' +
      'TEMPORAL_TLS_CLIENT_KEY_PATH (or tls.client_cert_path and tls.client_key_path in the profile).',
  },
  {
    pattern: /UnknownIssuer/,
    hint:
      "the server's certificate is not signed by a CA this process trusts: set TEMPORAL_TLS_SERVER_CA_CERT_PATH " +
      '(or tls.server_ca_cert_path in the profile) to the CA that signed it.',
  },
  {
    pattern: /NotValidForName/,
    hint:
      "the server's certificate does not carry the name this process checks: set TEMPORAL_TLS_SERVER_NAME " +
      '(or tls.server_name in the profile) to a name in the certificate.',
  },
  {
    pattern: /InvalidContentType/,
    hint: 'the server does not speak TLS at this address: remove the TLS settings or use its TLS endpoint.',
  },
  {
    pattern: /UnexpectedEof|close_notify/,
    hint:
      'the server closed the connection during the TLS handshake, usually because it does not accept the ' +
      'client certificate: check that TEMPORAL_TLS_CLIENT_CERT_PATH was issued by the CA the server trusts.',
  },
];

/**
 * What to change when connecting failed for a reason the TLS settings explain: the exact cause when the
 * transport names it (the workers' Rust core does), else — TLS being on — which settings to check (the CLI's
 * grpc-js only reports a missed deadline). Undefined when TLS is off or the server refused the connection.
 */
export function tlsFailureHint(error: unknown, settings: TemporalConnectionSettings): string | undefined {
  const message = messageOf(error);
  const known = tlsFailureHints.find(({ pattern }) => pattern.test(message))?.hint;
  if (known !== undefined || !settings.tls || /ECONNREFUSED|Connection refused/i.test(message)) return known;
  return (
    'TLS is on: check that the server speaks TLS at this address, that TEMPORAL_TLS_SERVER_CA_CERT_PATH is ' +
    "the CA of its certificate and TEMPORAL_TLS_SERVER_NAME a name in it, and that it accepts this process's " +
    'client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH) or API key.'
  );
}

/**
 * The variables envconfig sees. An empty TEMPORAL_* variable counts as unset (compose and Kubernetes templates
 * leave unused settings empty; envconfig would read an empty path, or turn TLS on for an empty API key),
 * except TEMPORAL_GRPC_META_*, where empty removes a header the profile sets.
 */
function definedVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined &&
        (entry[1] !== '' || !entry[0].startsWith('TEMPORAL_') || entry[0].startsWith('TEMPORAL_GRPC_META_')),
    ),
  );
}

/** The config file envconfig reads, as the user would look for it (same rules as envconfig's own lookup). */
function configFileDescription(env: Record<string, string>): string {
  if (env.TEMPORAL_CONFIG_FILE !== undefined)
    return `config file ${env.TEMPORAL_CONFIG_FILE} (TEMPORAL_CONFIG_FILE)`;
  const configDir =
    platform() === 'win32'
      ? env.APPDATA
      : platform() === 'darwin'
        ? env.HOME && join(env.HOME, 'Library', 'Application Support')
        : env.XDG_CONFIG_HOME || (env.HOME && join(env.HOME, '.config'));
  return !configDir ? 'no config file' : `config file ${join(configDir, 'temporalio', 'temporal.toml')}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
