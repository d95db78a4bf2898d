/**
 * The workspace keeps a copy of every input file it imported, so `factory import --add` can rebuild the
 * estate from all of them with the same merge rules (exact provenance and conflicts) and anyone can see
 * what an estate came from. Copies are content-addressed: inputs/<sha256>/<folder>/<name>, keeping the
 * file's name (RVTools CSV tabs are recognised by it) and its folder's name (two vCenters' exports share
 * file names). inputs/manifest.json lists them in import order with where they came from and when.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { z } from 'zod';
import type { InputFile } from '../domain/inventory/estate-schema.ts';
import { mkdirDurably, readValidated, syncDirectory } from './files.ts';

export const INPUTS_DIR = 'inputs';
export const INPUTS_MANIFEST = posix.join(INPUTS_DIR, 'manifest.json');

const sha256Pattern = /^[0-9a-f]{64}$/;

export const recordedInputSchema = z.object({
  sha256: z.string().regex(sha256Pattern),
  bytes: z.number().int().nonnegative(),
  /** The path as given to `factory import`, resolved: for people, never read again. */
  originalPath: z.string(),
  /** The copy, relative to the workspace. */
  stored: z.string(),
  /** ISO date-time of the import that added it. */
  importedAt: z.string(),
});
export type RecordedInput = z.infer<typeof recordedInputSchema>;

export const inputManifestSchema = z.object({
  formatVersion: z.literal(1),
  /** Whether the estate was built with --quarantine; `--add` keeps building it that way. */
  quarantine: z.boolean(),
  inputs: z.array(recordedInputSchema),
});
export type InputManifest = z.infer<typeof inputManifestSchema>;

export const manifestJson = (manifest: InputManifest) => `${JSON.stringify(manifest, null, 1)}\n`;

/** The workspace's input manifest, or undefined when it has none (new, or imported before inputs were kept). */
export async function loadInputManifest(workspace: string): Promise<InputManifest | undefined> {
  const path = join(workspace, INPUTS_MANIFEST);
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  return exists ? readValidated(path, inputManifestSchema, `${path} cannot be read`) : undefined;
}

export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Where a file's copy lives, relative to the workspace. */
export function storedPathOf(sha256: string, originalPath: string): string {
  const folder = basename(dirname(resolve(originalPath))) || '_';
  // Forward slashes in the manifest, so a workspace copied between systems still finds its inputs.
  return posix.join(INPUTS_DIR, sha256, folder, basename(originalPath));
}

/**
 * Copies a file into the workspace's input store unless its content is there already; returns whether
 * this call created it (so a failed import can remove exactly what it added).
 */
export async function storeInput(workspace: string, originalPath: string, sha256: string) {
  const stored = storedPathOf(sha256, originalPath);
  const blobDir = join(workspace, INPUTS_DIR, sha256);
  const target = join(workspace, stored);
  const exists = await stat(target).then(
    () => true,
    () => false,
  );
  if (exists) return { stored, created: false };
  const existedBefore = await stat(blobDir).then(
    () => true,
    () => false,
  );
  await mkdirDurably(dirname(target));
  const temporary = `${target}.${process.pid}.tmp`;
  await copyFile(originalPath, temporary);
  const handle = await open(temporary, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, target);
  await syncDirectory(dirname(target));
  return { stored, created: !existedBefore };
}

/** Removes the copies of the given hashes (a failed import's additions). */
export async function removeInputs(workspace: string, sha256s: Iterable<string>): Promise<void> {
  for (const sha256 of sha256s)
    if (sha256Pattern.test(sha256))
      await rm(join(workspace, INPUTS_DIR, sha256), { recursive: true, force: true });
}

/** Removes copies no longer in the manifest (a plain import replaces the set of inputs). */
export async function pruneInputs(workspace: string, manifest: InputManifest): Promise<void> {
  const keep = new Set(manifest.inputs.map((input) => input.sha256));
  const entries = await readdir(join(workspace, INPUTS_DIR)).catch(() => [] as string[]);
  await removeInputs(
    workspace,
    entries.filter((name) => sha256Pattern.test(name) && !keep.has(name)),
  );
}

/**
 * Names used in messages and provenance: the file name, or parent/name when two inputs share a
 * name (two vCenters' RVTools folders both hold RVTools_tabvInfo.csv).
 */
export function displayNames(paths: readonly string[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const path of paths) counts.set(basename(path), (counts.get(basename(path)) ?? 0) + 1);
  return new Map(
    paths.map((path) => [
      path,
      (counts.get(basename(path)) ?? 0) > 1 ? `${basename(dirname(path))}/${basename(path)}` : basename(path),
    ]),
  );
}

/**
 * The names the importer gives these files in provenance and messages: the file name, or folder/name
 * when two share a name — the rule `readInputs` applies to the paths it reads, here over the stored copies.
 */
export function inputFiles(inputs: readonly RecordedInput[]): InputFile[] {
  // The same names the import gave the stored copies (readInputs), so provenance and inputs agree.
  const names = displayNames(inputs.map((input) => input.stored));
  return inputs.map((input) => ({
    file: names.get(input.stored) ?? basename(input.stored),
    sha256: input.sha256,
    bytes: input.bytes,
  }));
}
