/** Recognises a guest OS string (as RVTools or Azure Migrate write it) against the lifecycle table. */
import { osLifecycle, type OsEntry } from '../data/os-lifecycle.ts';

export interface OsFacts {
  family: 'windows' | 'linux' | 'unknown';
  entry?: OsEntry;
  is32Bit: boolean;
}

export function recogniseOs(os: string | undefined): OsFacts {
  if (os === undefined || os.trim() === '') return { family: 'unknown', is32Bit: false };
  const text = os.toLowerCase();
  const is32Bit = /32-bit|\bx86\b|\bi[3-6]86\b/.test(text) && !/64-bit/.test(text);
  const entry = osLifecycle.find((candidate) => candidate.pattern.test(text));
  if (entry !== undefined) return { family: entry.family, entry, is32Bit };
  const family = /windows/.test(text)
    ? 'windows'
    : /linux|ubuntu|centos|debian|suse|red hat/.test(text)
      ? 'linux'
      : 'unknown';
  return { family, is32Bit };
}
