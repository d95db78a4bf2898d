/**
 * Secret references: the worker's settings name secrets in Azure Key Vault, never hold their values. Every
 * reference is resolved once at start-up (a missing, disabled or empty secret stops the worker, naming the
 * reference and the setting), and the values stay in this process: activities send them to vCenter or in a
 * migration's PUT, never into workflow inputs, histories, logs or reports.
 *
 * A reference is `keyvault:<secret id>`, the secret id Key Vault itself gives
 * (`https://<vault>.vault.azure.net/secrets/<name>[/<version>]`; parsed with the SDK's own parser), or the
 * object `{ "keyVault": "https://<vault>.vault.azure.net", "secret": "<name>", "version"?: "<version>" }`.
 */
import type { TokenCredential } from '@azure/core-auth';
import { isRestError } from '@azure/core-rest-pipeline';
import { parseKeyVaultSecretIdentifier, SecretClient } from '@azure/keyvault-secrets';
import { z } from 'zod';

export interface SecretReference {
  vaultUrl: string;
  name: string;
  version?: string;
}

const keyVaultPrefix = 'keyvault:';

export class SecretReferenceError extends Error {
  override name = 'SecretReferenceError';
}

/** How a reference is written in messages: the secret's id, which names it without revealing it. */
export const describeReference = (reference: SecretReference) =>
  `${keyVaultPrefix}${reference.vaultUrl}/secrets/${reference.name}${reference.version ? `/${reference.version}` : ''}`;

/** Parses the string form; `setting` names where it came from, for the error. */
export function parseSecretReference(text: string, setting: string): SecretReference {
  if (!text.startsWith(keyVaultPrefix))
    throw new SecretReferenceError(
      `${setting}: expected a Key Vault reference keyvault:https://<vault>.vault.azure.net/secrets/<name>, not a value (secrets are never set directly)`,
    );
  const id = text.slice(keyVaultPrefix.length);
  let parsed: ReturnType<typeof parseKeyVaultSecretIdentifier>;
  try {
    parsed = parseKeyVaultSecretIdentifier(id);
  } catch (error) {
    throw new SecretReferenceError(
      `${setting}: '${text}' is not a Key Vault secret reference (${error instanceof Error ? error.message : String(error)}); expected keyvault:https://<vault>.vault.azure.net/secrets/<name>[/<version>]`,
    );
  }
  // The SDK's parser takes the collection from the id itself: a key or certificate id would parse too.
  if (new URL(id).pathname.split('/')[1] !== 'secrets')
    throw new SecretReferenceError(
      `${setting}: '${text}' is not a Key Vault secret reference (not under /secrets/); expected keyvault:https://<vault>.vault.azure.net/secrets/<name>[/<version>]`,
    );
  if (!parsed.vaultUrl.startsWith('https://'))
    throw new SecretReferenceError(`${setting}: '${text}': the vault URL must be https`);
  return {
    vaultUrl: parsed.vaultUrl,
    name: parsed.name,
    ...(parsed.version ? { version: parsed.version } : {}),
  };
}

/** A reference in a JSON settings file: the string form or `{ keyVault, secret, version? }`. */
export const secretReferenceSchema = z.union([
  z.string(),
  z
    .object({
      keyVault: z.url({ protocol: /^https$/ }),
      secret: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, 'a Key Vault secret name (letters, digits, dashes)'),
      version: z.string().min(1).optional(),
    })
    .strict(),
]);
export type SecretReferenceSetting = z.infer<typeof secretReferenceSchema>;

export function toSecretReference(setting: SecretReferenceSetting, where: string): SecretReference {
  if (typeof setting === 'string') return parseSecretReference(setting, where);
  return {
    vaultUrl: setting.keyVault.replace(/\/+$/, ''),
    name: setting.secret,
    ...(setting.version ? { version: setting.version } : {}),
  };
}

export interface KeyVaultOptions {
  credential: TokenCredential;
  /** Extra CA (PEM) to trust, e.g. the simulator's. */
  ca?: string;
  /**
   * The SDK checks that the challenge's resource (vault.azure.net) is a parent domain of the vault's host.
   * The simulator's vault is https://127.0.0.1:<port>: the check must be off there (simulator profile only).
   */
  disableChallengeResourceVerification?: boolean;
}

/** Where a reference is used, for the start-up error: e.g. `VCENTER_PASSWORD_SECRET`. */
export interface SecretRequest {
  reference: SecretReference;
  setting: string;
}

/** The resolved values, by reference; `values()` lists them for redaction checks. */
export class ResolvedSecrets {
  constructor(private readonly byReference: ReadonlyMap<string, string>) {}

  get(reference: SecretReference): string {
    const value = this.byReference.get(describeReference(reference));
    if (value === undefined)
      throw new Error(`${describeReference(reference)} was not resolved at start-up (a worker bug)`);
    return value;
  }

  values(): string[] {
    return [...new Set(this.byReference.values())];
  }
}

/**
 * Reads every requested secret (one client per vault, all at once) and fails with every problem at once,
 * each naming the reference and its setting, never a value.
 */
export async function resolveSecrets(
  requests: SecretRequest[],
  options: KeyVaultOptions,
): Promise<ResolvedSecrets> {
  const clients = new Map<string, SecretClient>();
  const client = (vaultUrl: string) => {
    let existing = clients.get(vaultUrl);
    if (!existing) {
      existing = new SecretClient(vaultUrl, options.credential, {
        ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
        ...(options.disableChallengeResourceVerification
          ? { disableChallengeResourceVerification: true }
          : {}),
      });
      clients.set(vaultUrl, existing);
    }
    return existing;
  };
  const byReference = new Map<string, { reference: SecretReference; settings: string[] }>();
  for (const { reference, setting } of requests) {
    const key = describeReference(reference);
    const entry = byReference.get(key) ?? { reference, settings: [] };
    entry.settings.push(setting);
    byReference.set(key, entry);
  }
  const problems: string[] = [];
  const values = new Map<string, string>();
  await Promise.all(
    [...byReference].map(async ([key, { reference, settings }]) => {
      const where = `${key} (${settings.join(', ')})`;
      try {
        const secret = await client(reference.vaultUrl).getSecret(
          reference.name,
          reference.version ? { version: reference.version } : {},
        );
        if (!secret.value) problems.push(`${where}: the secret is empty`);
        else values.set(key, secret.value);
      } catch (error) {
        problems.push(`${where}: ${secretReadFailure(error)}`);
      }
    }),
  );
  if (problems.length > 0)
    throw new SecretReferenceError(
      `Cannot read the worker's secrets from Key Vault:\n${problems
        .sort()
        .map((problem) => `  ${problem}`)
        .join('\n')}`,
    );
  return new ResolvedSecrets(values);
}

function secretReadFailure(error: unknown): string {
  if (isRestError(error)) {
    if (error.statusCode === 404) return 'no such secret (or version) in the vault';
    if (error.statusCode === 403)
      return `refused (403: the secret is disabled, or the worker's identity lacks the 'get' permission on secrets): ${error.message}`;
    if (error.statusCode === 401) return `not authenticated (401): ${error.message}`;
    return `Key Vault answered ${error.statusCode ?? error.code ?? 'an error'}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
