/**
 * Where the payload codec's keys come from (docs/security.md), loaded once when a process starts:
 *
 * - Azure Key Vault (production): FACTORY_CODEC_KEYVAULT_URL and FACTORY_CODEC_KEY_SECRETS, the names of
 *   secrets that each hold one base64 AES-256 key; the first encrypts, all decrypt. The secret name is the key
 *   id recorded in every payload, so a new key is a new secret (a new version of a secret would change the key
 *   behind an id that histories already use).
 * - A local key file (the embedded stack, tests): FACTORY_CODEC_KEY_FILE, JSON `{ current, keys: { id: base64 } }`
 *   with mode 0600. On the simulator profile without settings, the stack's `.data/codec-keys.json`, created
 *   on first use.
 */
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalTokenCredential } from './azure.ts';
import { AesGcmPayloadCodec, KEY_BYTES, type CodecKeys } from './payload-codec.ts';

/** The embedded stack's key file (in its data folder, which git ignores). */
export const localCodecKeyFile = fileURLToPath(new URL('../.data/codec-keys.json', import.meta.url));

export type CodecKeySource =
  | { kind: 'file'; path: string; setting: string; createIfMissing: boolean }
  | {
      kind: 'key-vault';
      vaultUrl: string;
      secretNames: string[];
      /** PEM of an extra CA to trust (a local Key Vault such as the simulator's). */
      caCertPath?: string;
      /** `local`: the simulator's unsigned token, and no check that the vault is an Azure host. */
      credential: 'default' | 'local';
      localPrincipal: string;
    };

/** A codec configuration that cannot be used; the message names the setting or file to fix. */
export class CodecConfigError extends Error {
  override name = 'CodecConfigError';
}

const setting = (env: NodeJS.ProcessEnv, name: string) => env[name]?.trim() || undefined;

/** Where this process's codec keys come from, from its environment; throws naming what is missing. */
export function codecKeySource(env: NodeJS.ProcessEnv = process.env): CodecKeySource {
  const vaultUrl = setting(env, 'FACTORY_CODEC_KEYVAULT_URL');
  const keyFile = setting(env, 'FACTORY_CODEC_KEY_FILE');
  if (vaultUrl && keyFile)
    throw new CodecConfigError(
      'FACTORY_CODEC_KEY_FILE and FACTORY_CODEC_KEYVAULT_URL are both set: keep one source of codec keys',
    );
  if (vaultUrl) {
    let url: URL;
    try {
      url = new URL(vaultUrl);
    } catch {
      throw new CodecConfigError(`FACTORY_CODEC_KEYVAULT_URL '${vaultUrl}' is not a URL`);
    }
    if (url.protocol !== 'https:')
      throw new CodecConfigError(`FACTORY_CODEC_KEYVAULT_URL '${vaultUrl}': Key Vault is reached over https`);
    const secretNames = (setting(env, 'FACTORY_CODEC_KEY_SECRETS') ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    if (secretNames.length === 0)
      throw new CodecConfigError(
        'FACTORY_CODEC_KEY_SECRETS: required with FACTORY_CODEC_KEYVAULT_URL (comma-separated secret names, the current key first)',
      );
    for (const name of secretNames)
      if (!/^[0-9A-Za-z-]{1,127}$/.test(name))
        throw new CodecConfigError(
          `FACTORY_CODEC_KEY_SECRETS: '${name}' is not a Key Vault secret name (letters, digits and dashes)`,
        );
    const caCertPath = setting(env, 'FACTORY_CODEC_KEYVAULT_CA_CERT') ?? setting(env, 'AZURE_CA_CERT');
    return {
      kind: 'key-vault',
      vaultUrl: url.toString(),
      secretNames,
      ...(caCertPath ? { caCertPath } : {}),
      credential: setting(env, 'AZURE_CREDENTIAL') === 'local' ? 'local' : 'default',
      localPrincipal: setting(env, 'AZURE_LOCAL_PRINCIPAL') ?? 'migration-factory-worker',
    };
  }
  if (keyFile)
    return { kind: 'file', path: keyFile, setting: 'FACTORY_CODEC_KEY_FILE', createIfMissing: false };
  if (setting(env, 'FACTORY_PROFILE') === 'simulator')
    return {
      kind: 'file',
      path: localCodecKeyFile,
      setting: 'FACTORY_CODEC_KEY_FILE (unset: the embedded stack key file)',
      createIfMissing: true,
    };
  throw new CodecConfigError(
    'payload encryption keys are not configured: set FACTORY_CODEC_KEYVAULT_URL and FACTORY_CODEC_KEY_SECRETS ' +
      '(Azure Key Vault), or FACTORY_CODEC_KEY_FILE (a local key file; see docs/security.md)',
  );
}

/** One line for logs: where the keys come from, never a key. */
export function describeCodecKeySource(source: CodecKeySource): string {
  return source.kind === 'file'
    ? `key file ${source.path}`
    : `Key Vault ${source.vaultUrl} secrets ${source.secretNames.join(', ')}`;
}

function decodeKey(base64: unknown, where: string): Uint8Array {
  const bytes = typeof base64 === 'string' ? Buffer.from(base64.trim(), 'base64') : Buffer.alloc(0);
  if (bytes.length !== KEY_BYTES)
    throw new CodecConfigError(
      `${where}: expected ${KEY_BYTES} random bytes in base64 (AES-256), found ${bytes.length} bytes`,
    );
  return bytes;
}

interface KeyFile {
  current: string;
  keys: Record<string, string>;
}

/** Parses a key file's text; `where` names it in errors. */
export function parseCodecKeyFile(text: string, where: string): CodecKeys {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CodecConfigError(
      `${where} is not JSON: expected { "current": "<key id>", "keys": { "<key id>": "<base64>" } }`,
    );
  }
  const file = parsed as Partial<KeyFile> | null;
  if (!file || typeof file.current !== 'string' || !file.keys || typeof file.keys !== 'object')
    throw new CodecConfigError(
      `${where}: expected { "current": "<key id>", "keys": { "<key id>": "<base64>" } }`,
    );
  const keys = new Map(
    Object.entries(file.keys).map(([id, value]) => [id, decodeKey(value, `${where} key '${id}'`)] as const),
  );
  if (!keys.has(file.current))
    throw new CodecConfigError(`${where}: the current key '${file.current}' is not among its keys`);
  return { current: file.current, keys };
}

const newKeyId = () => `key-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;

function writeKeyFile(path: string, file: KeyFile, exclusive: boolean) {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const text = `${JSON.stringify(file, null, 2)}\n`;
  if (exclusive) {
    writeFileSync(path, text, { flag: 'wx', mode: 0o600 });
    return;
  }
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { flag: 'wx', mode: 0o600 });
  renameSync(temporary, path);
}

/**
 * Creates a key file with one new random key, mode 0600; leaves an existing file alone (several processes of
 * the embedded stack may race to create it: one wins, the others read its key). Returns the file's keys.
 */
export function ensureCodecKeyFile(path: string): CodecKeys {
  try {
    const id = newKeyId();
    writeKeyFile(path, { current: id, keys: { [id]: randomBytes(KEY_BYTES).toString('base64') } }, true);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readCodecKeyFile(path, path);
}

/**
 * Rotates a key file: a new random key becomes current, the others stay for decryption. Processes pick it up
 * when they restart; until all have, payloads encrypted with the new key are refused by the ones that have not
 * (restart every process after rotating). Returns the new key id.
 */
export function rotateCodecKeyFile(path: string): string {
  const keys = readCodecKeyFile(path, path);
  const id = newKeyId();
  const file: KeyFile = {
    current: id,
    keys: {
      [id]: randomBytes(KEY_BYTES).toString('base64'),
      ...Object.fromEntries(
        [...keys.keys].map(([keyId, key]) => [keyId, Buffer.from(key).toString('base64')]),
      ),
    },
  };
  writeKeyFile(path, file, false);
  return id;
}

function readCodecKeyFile(path: string, where: string): CodecKeys {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CodecConfigError(
      `${where}: cannot read the codec key file ${path} (${(error as Error).message})`,
    );
  }
  // A key file others can read is a leaked key: tighten it rather than run with it open.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return parseCodecKeyFile(text, `${where} (${path})`);
}

/** Reads every key from Key Vault through the SDK; a missing, disabled or short secret names itself. */
async function keyVaultKeys(
  source: Extract<CodecKeySource, { kind: 'key-vault' }>,
  credential?: TokenCredential,
): Promise<CodecKeys> {
  const ca = source.caCertPath ? readFileSync(source.caCertPath, 'utf8') : undefined;
  const client = new SecretClient(
    source.vaultUrl,
    credential ??
      (source.credential === 'local'
        ? new LocalTokenCredential(source.localPrincipal)
        : new DefaultAzureCredential()),
    {
      // A local vault (the simulator) is not an Azure host; the check guards real vaults only.
      disableChallengeResourceVerification: source.credential === 'local',
      ...(ca ? { tlsOptions: { ca } } : {}),
      retryOptions: { maxRetries: 2 },
    },
  );
  const keys = new Map<string, Uint8Array>();
  for (const name of source.secretNames) {
    let value: string | undefined;
    try {
      value = (await client.getSecret(name)).value;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      throw new CodecConfigError(
        `FACTORY_CODEC_KEY_SECRETS: cannot read secret '${name}' from ${source.vaultUrl}` +
          (status === 404
            ? ': it does not exist'
            : status === 403
              ? ': access denied (the identity needs the Key Vault Secrets User role)'
              : ` (${(error as Error).message})`),
      );
    }
    keys.set(name, decodeKey(value, `FACTORY_CODEC_KEY_SECRETS: secret '${name}' in ${source.vaultUrl}`));
  }
  return { current: source.secretNames[0]!, keys };
}

/** The keys of `source`, read once; `credential` overrides the one the settings choose (tests). */
export async function loadCodecKeys(
  source: CodecKeySource,
  options: { credential?: TokenCredential } = {},
): Promise<CodecKeys> {
  if (source.kind === 'key-vault') return keyVaultKeys(source, options.credential);
  if (source.createIfMissing) return ensureCodecKeyFile(source.path);
  return readCodecKeyFile(source.path, source.setting);
}

/** The payload codec of a process, from its key source. */
export async function loadPayloadCodec(
  source: CodecKeySource,
  options: { credential?: TokenCredential } = {},
): Promise<AesGcmPayloadCodec> {
  return new AesGcmPayloadCodec(await loadCodecKeys(source, options));
}
