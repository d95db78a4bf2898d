import { createHash } from 'node:crypto';

/**
 * Deterministic GUIDs: the n-th id of a seeded simulator is always the same, so runs with the same
 * seed and the same calls produce the same job and operation names. The counter lives in the state
 * snapshot so ids stay unique across restarts.
 */
export function seededGuid(seed: number, counter: number): string {
  return guidFromText(`${seed}:${counter}`);
}

/** A GUID-shaped digest of a text: stable names for things identified by other keys (process servers). */
export function guidFromText(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
