/**
 * The AES-256-GCM payload codec and its keys: round trip, a fresh IV each time, rotation (payloads under a
 * retired key still decode), an unknown key id or altered ciphertext refused with the reason, failure messages
 * encrypted by the failure converter, and the key sources (key file, Key Vault through the real SDK against a
 * simulator's Key Vault) failing at start-up naming the setting.
 */
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  encodeErrorToFailure,
  loadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow/index.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codecKeySource,
  ensureCodecKeyFile,
  loadCodecKeys,
  loadPayloadCodec,
  rotateCodecKeyFile,
  type CodecKeySource,
} from '../../workers/codec-keys.ts';
import { LocalTokenCredential } from '../../workers/azure.ts';
import {
  AesGcmPayloadCodec,
  decodeHistoryPayloads,
  ENCRYPTED_ENCODING,
  factoryDataConverter,
  KEY_ID_METADATA,
  PayloadDecryptionError,
} from '../../workers/payload-codec.ts';
import type { TokenCredential } from '@azure/core-auth';
import { SecretClient } from '@azure/keyvault-secrets';
import { startSimulator, type RunningSimulator } from '../../simulators/index.ts';
import { SimulatorAdmin } from '../../simulators/admin-client.ts';

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const secretInput = {
  vm: 'payroll-db-01',
  armId: '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-migrate',
  reason: 'cut over after the payroll run',
};
const keyFile = () => join(mkdtempSync(join(tmpdir(), 'mf-codec-')), 'codec-keys.json');
const fileSource = (path: string): CodecKeySource => ({
  kind: 'file',
  path,
  setting: 'FACTORY_CODEC_KEY_FILE',
  createIfMissing: false,
});

describe('AES-256-GCM payload codec', () => {
  const codec = new AesGcmPayloadCodec(ensureCodecKeyFile(keyFile()));
  const plain = defaultPayloadConverter.toPayload(secretInput);

  it('encrypts the whole payload, names its key, and decodes it back', async () => {
    const [encoded] = await codec.encode([plain]);
    expect(text(encoded!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded!.metadata![KEY_ID_METADATA])).toBe(codec.keyIds[0]);
    expect(Object.keys(encoded!.metadata!)).toEqual(['encoding', KEY_ID_METADATA]);
    for (const clear of ['payroll', 'rg-migrate', 'json/plain', 'payroll run'])
      expect(text(encoded!.data)).not.toContain(clear);
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(secretInput);
  });

  it('uses a fresh IV for every payload, so equal values never encrypt alike', async () => {
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes through payloads that were never encrypted (histories from before encryption)', async () => {
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('refuses altered ciphertext', async () => {
    const [encoded] = await codec.encode([plain]);
    const data = Buffer.from(encoded!.data!);
    data[20] = data[20]! ^ 0x01;
    await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow(
      new PayloadDecryptionError(
        `payload encrypted with key '${codec.keyIds[0]}' failed authentication: it was altered, or the key with that id changed`,
      ),
    );
  });
});

describe('key rotation', () => {
  it('encrypts with the new key and still decrypts payloads under the old one', async () => {
    const path = keyFile();
    const before = new AesGcmPayloadCodec(ensureCodecKeyFile(path));
    const [old] = await before.encode([defaultPayloadConverter.toPayload(secretInput)]);
    const newId = rotateCodecKeyFile(path);
    const after = await loadPayloadCodec(fileSource(path));
    expect(after.keyIds).toEqual([newId, before.keyIds[0]]);
    const [fresh] = await after.encode([defaultPayloadConverter.toPayload('new')]);
    expect(text(fresh!.metadata![KEY_ID_METADATA])).toBe(newId);
    const [decoded] = await after.decode([old!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(secretInput);
  });

  it('names the key id of a payload whose key this process does not have', async () => {
    const retired = new AesGcmPayloadCodec(ensureCodecKeyFile(keyFile()));
    const current = new AesGcmPayloadCodec(ensureCodecKeyFile(keyFile()));
    const [payload] = await retired.encode([defaultPayloadConverter.toPayload(secretInput)]);
    const error = await current.decode([payload!]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PayloadDecryptionError);
    expect((error as Error).message).toContain(`payload encrypted with key '${retired.keyIds[0]}'`);
    expect((error as Error).message).toContain(`it has ${current.keyIds[0]}`);
  });
});

describe('failures are encrypted with the payloads', () => {
  it('moves the message and stack trace into the encrypted attributes, and the history decoder restores them', async () => {
    const converter = loadDataConverter(
      factoryDataConverter(new AesGcmPayloadCodec(ensureCodecKeyFile(keyFile()))),
    );
    const failure = await encodeErrorToFailure(
      converter,
      ApplicationFailure.create({ message: `VM ${secretInput.vm} failed: ${secretInput.reason}`, type: 'X' }),
    );
    const raw = JSON.stringify(failure);
    expect(failure.message).toBe('Encoded failure');
    expect(raw).not.toContain('payroll');
    const event = { activityTaskFailedEventAttributes: { failure } };
    const decoded = await decodeHistoryPayloads(event, converter);
    expect(decoded.activityTaskFailedEventAttributes.failure.message).toBe(
      `VM payroll-db-01 failed: ${secretInput.reason}`,
    );
    expect(decoded.activityTaskFailedEventAttributes.failure.stackTrace).toContain('payload-codec.test.ts');
  });
});

describe('key file', () => {
  it('is created once with mode 0600 and one 32-byte key; a second start reads the same key', async () => {
    const path = keyFile();
    const first = ensureCodecKeyFile(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first.keys.get(first.current)).toHaveLength(32);
    expect(ensureCodecKeyFile(path)).toEqual(first);
    expect(await loadCodecKeys(fileSource(path))).toEqual(first);
  });

  it('fails naming the setting when the file is missing, and the key when it is short', async () => {
    const missing = join(tmpdir(), 'mf-no-such-dir', 'codec-keys.json');
    await expect(loadCodecKeys(fileSource(missing))).rejects.toThrow(
      `FACTORY_CODEC_KEY_FILE: cannot read the codec key file ${missing}`,
    );
    const path = keyFile();
    writeFileSync(path, JSON.stringify({ current: 'k1', keys: { k1: randomBytes(16).toString('base64') } }), {
      mode: 0o600,
    });
    await expect(loadCodecKeys(fileSource(path))).rejects.toThrow(
      `FACTORY_CODEC_KEY_FILE (${path}) key 'k1': expected 32 random bytes in base64 (AES-256), found 16 bytes`,
    );
    writeFileSync(path, JSON.stringify({ current: 'k2', keys: { k1: randomBytes(32).toString('base64') } }));
    await expect(loadCodecKeys(fileSource(path))).rejects.toThrow(
      "the current key 'k2' is not among its keys",
    );
    // The failed read tightened the file it found readable by others.
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain('"k1"');
  });
});

describe('codec settings', () => {
  it('requires a key source outside the simulator profile, naming both', () => {
    expect(() => codecKeySource({})).toThrow(
      /FACTORY_CODEC_KEYVAULT_URL and FACTORY_CODEC_KEY_SECRETS[\s\S]*FACTORY_CODEC_KEY_FILE/,
    );
    expect(codecKeySource({ FACTORY_PROFILE: 'simulator' })).toMatchObject({
      kind: 'file',
      createIfMissing: true,
    });
  });

  it('names the setting that is wrong', () => {
    expect(() => codecKeySource({ FACTORY_CODEC_KEYVAULT_URL: 'https://kv.vault.azure.net' })).toThrow(
      'FACTORY_CODEC_KEY_SECRETS: required with FACTORY_CODEC_KEYVAULT_URL',
    );
    expect(() =>
      codecKeySource({
        FACTORY_CODEC_KEYVAULT_URL: 'http://kv.vault.azure.net',
        FACTORY_CODEC_KEY_SECRETS: 'a',
      }),
    ).toThrow('FACTORY_CODEC_KEYVAULT_URL');
    expect(() =>
      codecKeySource({
        FACTORY_CODEC_KEYVAULT_URL: 'https://kv.vault.azure.net',
        FACTORY_CODEC_KEY_SECRETS: 'codec_key',
      }),
    ).toThrow("FACTORY_CODEC_KEY_SECRETS: 'codec_key' is not a Key Vault secret name");
    expect(() =>
      codecKeySource({
        FACTORY_CODEC_KEYVAULT_URL: 'https://kv.vault.azure.net',
        FACTORY_CODEC_KEY_FILE: '/x',
      }),
    ).toThrow('both set');
  });
});

describe("keys from Azure Key Vault (the real SDK against the simulator's Key Vault)", () => {
  let simulator: RunningSimulator;
  const current = randomBytes(32);
  const previous = randomBytes(32);
  const source = (secrets: string): CodecKeySource =>
    codecKeySource({
      FACTORY_CODEC_KEYVAULT_URL: simulator.endpoint,
      FACTORY_CODEC_KEY_SECRETS: secrets,
      FACTORY_CODEC_KEYVAULT_CA_CERT: simulator.caCertPath,
      AZURE_CREDENTIAL: 'local',
    });

  beforeAll(async () => {
    simulator = await startSimulator({
      stateDir: mkdtempSync(join(tmpdir(), 'mf-codec-kv-')),
      persist: false,
      throttling: false,
    });
    const admin = new SimulatorAdmin(simulator.endpoint, simulator.caCertPem);
    await admin.seedSecrets({
      'codec-2026-12': current.toString('base64'),
      'codec-2026-06': previous.toString('base64'),
      'codec-short': randomBytes(8).toString('base64'),
    });
    // A disabled secret (Key Vault answers 403), set through the data plane as an operator would.
    await new SecretClient(simulator.endpoint, new LocalTokenCredential('operator'), {
      tlsOptions: { ca: simulator.caCertPem },
      disableChallengeResourceVerification: true,
    }).setSecret('codec-disabled', randomBytes(32).toString('base64'), { enabled: false });
  });
  afterAll(() => simulator?.close());

  it('reads every named secret through the challenge, the first one current', async () => {
    const keys = await loadCodecKeys(source('codec-2026-12, codec-2026-06'));
    expect(keys.current).toBe('codec-2026-12');
    expect([...keys.keys.keys()]).toEqual(['codec-2026-12', 'codec-2026-06']);
    expect(Buffer.from(keys.keys.get('codec-2026-12')!).equals(current)).toBe(true);
    expect(Buffer.from(keys.keys.get('codec-2026-06')!).equals(previous)).toBe(true);
  });

  it('a missing, disabled or short secret fails naming it', async () => {
    // As the key source writes it: the URL normalised, with its trailing slash.
    const vaultUrl = new URL(simulator.endpoint).toString();
    await expect(loadCodecKeys(source('codec-2026-12,codec-gone'))).rejects.toThrow(
      `FACTORY_CODEC_KEY_SECRETS: cannot read secret 'codec-gone' from ${vaultUrl}: it does not exist`,
    );
    await expect(loadCodecKeys(source('codec-disabled'))).rejects.toThrow(
      `FACTORY_CODEC_KEY_SECRETS: cannot read secret 'codec-disabled' from ${vaultUrl}: access denied`,
    );
    await expect(loadCodecKeys(source('codec-short'))).rejects.toThrow(
      `FACTORY_CODEC_KEY_SECRETS: secret 'codec-short' in ${vaultUrl}: expected 32 random bytes in base64 (AES-256), found 8 bytes`,
    );
  });

  it('a token for another resource is refused: the key source asks for a Key Vault token', async () => {
    // An ARM-audience credential: the simulator, like Key Vault, answers 401 to it.
    const local = new LocalTokenCredential('test');
    const armOnly: TokenCredential = {
      getToken: () => local.getToken('https://management.azure.com/.default'),
    };
    await expect(loadCodecKeys(source('codec-2026-12'), { credential: armOnly })).rejects.toThrow(
      "FACTORY_CODEC_KEY_SECRETS: cannot read secret 'codec-2026-12'",
    );
  });

  it('payloads from a key-file process decode in a Key Vault process holding the same key', async () => {
    const path = keyFile();
    writeFileSync(
      path,
      JSON.stringify({ current: 'codec-2026-06', keys: { 'codec-2026-06': previous.toString('base64') } }),
      { mode: 0o600 },
    );
    const [payload] = await (
      await loadPayloadCodec(fileSource(path))
    ).encode([defaultPayloadConverter.toPayload(secretInput)]);
    const fromVault = await loadPayloadCodec(source('codec-2026-12,codec-2026-06'), {
      credential: new LocalTokenCredential('test'),
    });
    const [decoded] = await fromVault.decode([payload as Payload]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(secretInput);
  });
});
