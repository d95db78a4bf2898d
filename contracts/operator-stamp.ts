/**
 * The factory server's signed stamp on an operator action. The server verifies who is acting (OpenID
 * Connect), then signs the update's name, the workflow it targets, its arguments, that identity and its
 * roles and the time with its Ed25519 key. Workflows verify the stamp in their update validators with
 * the servers' public keys (by key id, so keys rotate), so a client that reaches Temporal directly can
 * neither act as someone else nor replay a stamp with other arguments or on another workflow.
 *
 * Pure JavaScript (@noble/curves), so the Temporal workflow sandbox runs it; only public keys ever
 * reach workflow inputs and histories.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { canonicalJson } from './canonical-json.ts';

export const roles = ['viewer', 'operator', 'approver', 'lead', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Who acts, as the server verified it: the token's subject, a display name, the roles granted. */
export interface VerifiedIdentity {
  subject: string;
  name: string;
  roles: Role[];
}

export interface OperatorStamp {
  keyId: string;
  identity: VerifiedIdentity;
  /** ISO instant the server signed at; workflows refuse stamps older than `STAMP_MAX_AGE_MS`. */
  issuedAt: string;
  /** Ed25519 signature over `stampMessage(…)`, base64url. */
  signature: string;
}

/** Public keys a workflow trusts, by key id (base64url of the 32-byte Ed25519 public key). */
export type TrustedStampKeys = Record<string, string>;

/** A stamp is good for a few minutes: long enough for the server's call, too short to hoard. */
export const STAMP_MAX_AGE_MS = 10 * 60 * 1000;
/** Server and workflow clocks differ a little; a stamp from slightly in the future is still accepted. */
export const STAMP_CLOCK_SKEW_MS = 60 * 1000;

/** What is signed: everything that makes the action what it is, in canonical JSON. */
export function stampMessage(input: {
  update: string;
  workflowId: string;
  args: unknown;
  identity: VerifiedIdentity;
  issuedAt: string;
  keyId: string;
}): Uint8Array {
  return new TextEncoder().encode(
    canonicalJson({
      update: input.update,
      workflowId: input.workflowId,
      args: input.args,
      identity: input.identity,
      issuedAt: input.issuedAt,
      keyId: input.keyId,
    }),
  );
}

/** Signs an action (server side); `args` is the update's argument without its `stamp`. */
export function signStamp(input: {
  privateKey: Uint8Array;
  keyId: string;
  update: string;
  workflowId: string;
  args: unknown;
  identity: VerifiedIdentity;
  issuedAt: string;
}): OperatorStamp {
  const signature = ed25519.sign(stampMessage(input), input.privateKey);
  return {
    keyId: input.keyId,
    identity: input.identity,
    issuedAt: input.issuedAt,
    signature: toBase64Url(signature),
  };
}

/**
 * Checks a stamp (workflow side). Returns why it is refused, or undefined when it is valid: signed by a
 * trusted key over exactly this update, workflow and arguments, and recent at `nowMs` (workflow time).
 */
export function stampProblem(input: {
  trustedKeys: TrustedStampKeys;
  update: string;
  workflowId: string;
  args: unknown;
  stamp: OperatorStamp | undefined;
  nowMs: number;
}): string | undefined {
  const { stamp } = input;
  if (stamp === undefined) return 'the action carries no signed stamp: act through the factory server';
  const publicKey = input.trustedKeys[stamp.keyId];
  if (publicKey === undefined) return `the stamp's key '${stamp.keyId}' is not trusted by this workflow`;
  const issuedAtMs = Date.parse(stamp.issuedAt);
  if (!Number.isFinite(issuedAtMs)) return 'the stamp has no valid issue time';
  if (issuedAtMs > input.nowMs + STAMP_CLOCK_SKEW_MS) return 'the stamp is issued in the future';
  if (input.nowMs - issuedAtMs > STAMP_MAX_AGE_MS) return 'the stamp has expired: send the action again';
  let valid: boolean;
  try {
    valid = ed25519.verify(
      fromBase64Url(stamp.signature),
      stampMessage({ ...input, identity: stamp.identity, issuedAt: stamp.issuedAt, keyId: stamp.keyId }),
      fromBase64Url(publicKey),
    );
  } catch {
    valid = false;
  }
  return valid ? undefined : 'the stamp does not match this action (forged, or made for other arguments)';
}

/** A new Ed25519 key pair, base64url encoded (server configuration and tests). */
export function generateStampKeyPair(): { privateKey: string; publicKey: string } {
  const { secretKey, publicKey } = ed25519.keygen();
  return { privateKey: toBase64Url(secretKey), publicKey: toBase64Url(publicKey) };
}

export const publicKeyOf = (privateKey: string): string =>
  toBase64Url(ed25519.getPublicKey(fromBase64Url(privateKey)));

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// Hand-written because the workflow sandbox has no Buffer and atob/btoa are not guaranteed there.
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c += 1) out += ALPHABET[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

export function fromBase64Url(text: string): Uint8Array {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text) {
    const value = ALPHABET.indexOf(ch);
    if (value < 0) throw new Error('not base64url');
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}
