/**
 * Payload encryption for every factory process that talks to Temporal (workers, the CLI, the factory server,
 * the tests, the bench and the demo): an AES-256-GCM `PayloadCodec` with keys by id, and the data converter
 * that pairs it with a failure converter that moves failure messages and stack traces into encoded (hence
 * encrypted) attributes. The workflow sandbox never sees the codec: workers decode before activation and
 * encode after, so the payload converter and workflow code are unchanged.
 *
 * Wire format as in Temporal's encryption samples (TypeScript, Go, Python, .NET), so any of their codec
 * servers can read it: the whole Payload proto, encrypted; data = 12-byte IV ‖ ciphertext ‖ 16-byte tag;
 * metadata `encoding: binary/encrypted` and `encryption-key-id: <id>`.
 * https://github.com/temporalio/samples-typescript/tree/main/encryption
 */
import type { DataConverter, LoadedDataConverter, Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

// A CommonJS package: its namespace is the default export under native ESM (tsx, the CLI).
const { temporal } = proto;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** The keys a process holds: `current` encrypts, every key decrypts (so old histories stay readable). */
export interface CodecKeys {
  current: string;
  keys: ReadonlyMap<string, Uint8Array>;
}

/** A payload that cannot be decrypted: an unknown key id, or ciphertext that fails authentication. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

const utf8 = new TextEncoder();
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : '');

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyRing: CodecKeys) {
    const current = keyRing.keys.get(keyRing.current);
    if (!current) throw new Error(`codec keys: the current key '${keyRing.current}' is not among the keys`);
    for (const [id, key] of keyRing.keys)
      if (key.length !== KEY_BYTES)
        throw new Error(`codec key '${id}' has ${key.length} bytes; AES-256 needs ${KEY_BYTES}`);
  }

  /** Ids of the keys this codec decrypts with, the current one first. */
  get keyIds(): string[] {
    return [
      this.keyRing.current,
      ...[...this.keyRing.keys.keys()].filter((id) => id !== this.keyRing.current),
    ];
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyRing.current;
    const key = this.keyRing.keys.get(keyId)!;
    return Promise.resolve(
      payloads.map((payload) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', key, iv);
        const plain = temporal.api.common.v1.Payload.encode(payload).finish();
        const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
        return {
          metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(keyId) },
          data,
        };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    // Synchronous work, but callers expect a refusal as a rejected promise (the executor's throw), not a throw.
    return new Promise((resolve) => resolve(payloads.map((payload) => this.decodeOne(payload))));
  }

  private decodeOne(payload: Payload): Payload {
    // Payloads written before encryption was turned on (and search attributes) pass through unchanged.
    if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    const key = this.keyRing.keys.get(keyId);
    if (!key)
      throw new PayloadDecryptionError(
        `payload encrypted with key '${keyId}', which this process does not have (it has ${this.keyIds.join(', ')}): ` +
          'add that key to the key file or FACTORY_CODEC_KEY_SECRETS (keep retired keys until no history uses them)',
      );
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError(`payload encrypted with key '${keyId}' is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new PayloadDecryptionError(
        `payload encrypted with key '${keyId}' failed authentication: it was altered, or the key with that id changed`,
      );
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

/** contracts/failure-converter.cjs: failure messages and stack traces travel as encoded attributes. */
export const failureConverterPath = fileURLToPath(
  new URL('../contracts/failure-converter.cjs', import.meta.url),
);

/** The data converter of every factory client and worker. */
export function factoryDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath };
}

type Json = Record<string, unknown>;
const isBytes = (value: unknown) => value instanceof Uint8Array;
/** A Payload message: byte-valued metadata and bytes (or nothing) as data. */
const isPayload = (value: Json): boolean =>
  value.metadata !== null &&
  typeof value.metadata === 'object' &&
  Object.values(value.metadata as Json).every(isBytes) &&
  (value.data === undefined || value.data === null || isBytes(value.data));

/**
 * Decodes, in place, every payload of a history (or any proto object read raw from Temporal, such as
 * `fetchHistory()`'s events) with `converter`'s codecs, and restores every encoded failure's message and stack
 * trace: the history as it was before encryption. In place, so proto classes and Longs keep their prototypes.
 * Used by the audit trail and by tests that read histories.
 */
export async function decodeHistoryPayloads<T>(value: T, converter: LoadedDataConverter): Promise<T> {
  const codecs = [...converter.payloadCodecs].reverse();
  const decodePayload = async (payload: Payload): Promise<Payload> => {
    let decoded = [payload];
    for (const codec of codecs) decoded = await codec.decode(decoded);
    return decoded[0]!;
  };
  const walk = async (node: Json | unknown[]): Promise<void> => {
    for (const [key, child] of Object.entries(node)) {
      if (child === null || typeof child !== 'object' || isBytes(child)) continue;
      if (!Array.isArray(child) && isPayload(child as Json)) (node as Json)[key] = await decodePayload(child);
      else await walk(child as Json);
    }
    if (!Array.isArray(node) && node.encodedAttributes && typeof node.encodedAttributes === 'object') {
      // DefaultFailureConverter with encodeCommonAttributes: { message, stack_trace } in a payload.
      const attributes = converter.payloadConverter.fromPayload<{ message?: string; stack_trace?: string }>(
        node.encodedAttributes,
      );
      node.message = attributes.message ?? node.message;
      node.stackTrace = attributes.stack_trace ?? node.stackTrace;
      node.encodedAttributes = null;
    }
  };
  if (value !== null && typeof value === 'object') await walk(value as Json);
  return value;
}
