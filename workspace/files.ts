/**
 * The workspace is a folder of reviewable files: estate.json (from `factory import`) and
 * assessment.json, report.html, vms.csv and vms.xlsx (from `factory assess`). Every write goes to a temporary file in the
 * same folder, is flushed to disk and renamed into place, and the folder itself is flushed (and so is the
 * parent of every folder a write creates), so a crash, a power cut or a full disk never leaves a
 * half-written file. A multi-file write commits with one rename of its manifest (`writeAllAtomically`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { estateSchema, type Estate } from '../domain/inventory/estate-schema.ts';

export const ESTATE_FILE = 'estate.json';
export const ASSESSMENT_FILE = 'assessment.json';
export const REPORT_FILE = 'report.html';
/**
 * The manifest of a multi-file write: `staging` while its files are written, `committed` once they all are
 * (that rename is the commit), removed when they are in place. Present between writes only after a crash.
 */
export const WRITE_INTENT_FILE = '.write-intent.json';

/** Writes and flushes one file, so its content is on disk before it is renamed into place. */
async function writeDurably(path: string, content: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (the renames into it). Windows cannot open a folder for this: skipped. */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Unique per write: two writes (or a crashed one) never share a temporary file. */
const temporaryOf = (path: string) => `${path}.${randomBytes(6).toString('hex')}.tmp`;

/**
 * Creates a folder and the missing ones above it, flushing the parent of each new one so the new entries
 * survive a power cut (a file flushed into a folder whose own entry was lost is lost with it).
 */
export async function mkdirDurably(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    const exists = await stat(current).then(
      () => true,
      () => false,
    );
    if (exists || dirname(current) === current) break;
    missing.unshift(current);
  }
  if (missing.length === 0) return;
  await mkdir(dir, { recursive: true });
  for (const created of missing) await syncDirectory(dirname(created));
}

export const VMS_CSV_FILE = 'vms.csv';
export const VMS_XLSX_FILE = 'vms.xlsx';

export async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = temporaryOf(path);
  try {
    await writeDurably(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
}

const intentSchema = z.object({
  /** Absent in manifests of older versions, which were written once the files were: committed. */
  state: z.enum(['staging', 'committed']).default('committed'),
  /** Paths relative to the folder holding the intent, so a copied workspace still recovers. */
  renames: z.array(z.object({ temporary: z.string(), path: z.string() })),
});

/** The steps of a multi-file write, for tests that stop a process between them (a simulated crash). */
export type WriteStep = 'staged' | 'committed' | 'renamed';

/**
 * Writes several files so that either all of them are new or none was replaced:
 * 1. the manifest (`.write-intent.json` in `intentDir`) names the temporary files, state `staging`;
 * 2. every new file is written to its temporary and flushed (new folders too);
 * 3. the manifest is replaced by its `committed` version: that one rename is the commit;
 * 4. the temporaries are renamed into place and the manifest removed.
 * Readers go through the manifest first (`recoverInterruptedWrite`): a crash before step 3 is rolled back
 * (the temporaries removed, the old files untouched), a crash after it is rolled forward.
 */
export async function writeAllAtomically(
  files: { path: string; content: string | Uint8Array }[],
  intentDir = dirname(files[0]?.path ?? '.'),
  onStep: (step: WriteStep) => void | Promise<void> = () => {},
): Promise<void> {
  await mkdirDurably(intentDir);
  await recoverInterruptedWrite(intentDir);
  const staged = files.map((file) => ({ ...file, temporary: temporaryOf(file.path) }));
  const intent = join(intentDir, WRITE_INTENT_FILE);
  const manifest = (state: 'staging' | 'committed') =>
    `${JSON.stringify({
      state,
      renames: staged.map((s) => ({
        temporary: relative(intentDir, s.temporary),
        path: relative(intentDir, s.path),
      })),
    })}\n`;
  try {
    await writeAtomically(intent, manifest('staging'));
    for (const file of staged) {
      await mkdirDurably(dirname(file.path));
      await writeDurably(file.temporary, file.content);
    }
    for (const dir of new Set(staged.map((s) => dirname(s.path)))) await syncDirectory(dir);
    await onStep('staged');
    await writeAtomically(intent, manifest('committed'));
  } catch (error) {
    // Best effort: a temporary that could not be created cannot be removed either (ENOTDIR).
    await Promise.all(staged.map((s) => rm(s.temporary, { force: true }).catch(() => {})));
    await rm(intent, { force: true });
    throw error;
  }
  await onStep('committed');
  for (const s of staged) {
    await rename(s.temporary, s.path);
    await onStep('renamed');
  }
  for (const dir of new Set(staged.map((s) => dirname(s.path)))) await syncDirectory(dir);
  await rm(intent, { force: true });
  await syncDirectory(intentDir);
}

/**
 * Finishes what a crash interrupted: a `committed` write's temporaries were all flushed before the commit,
 * so renaming them gives the state the write meant; a `staging` write never committed, so its temporaries
 * are removed and the files stay as they were. Returns whether there was anything to finish.
 */
export async function recoverInterruptedWrite(dir: string): Promise<boolean> {
  const intentPath = join(dir, WRITE_INTENT_FILE);
  const text = await readFile(intentPath, 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  let parsed: z.infer<typeof intentSchema>;
  try {
    parsed = intentSchema.parse(JSON.parse(text));
  } catch {
    throw new Error(
      `${intentPath} is damaged: a write to the workspace was interrupted; re-run the last factory command`,
    );
  }
  const base = resolve(dir);
  for (const entry of parsed.renames) {
    const temporary = resolve(base, entry.temporary);
    const path = resolve(base, entry.path);
    // Only paths inside the workspace: a hand-made intent file must not move files elsewhere.
    if (!temporary.startsWith(base + sep) || !path.startsWith(base + sep)) continue;
    if (parsed.state === 'staging') {
      await rm(temporary, { force: true });
      continue;
    }
    // A concurrent load may have finished this rename already.
    await rename(temporary, path).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
  }
  for (const entry of parsed.renames) {
    const folder = dirname(resolve(base, entry.path));
    if (folder.startsWith(base + sep)) await syncDirectory(folder).catch(() => {});
  }
  await rm(intentPath, { force: true });
  await syncDirectory(dir);
  return true;
}

/**
 * Finishes interrupted writes whose manifest may name `path`: a write keeps its manifest in the folder it
 * was given (the workspace), which may be any folder above the file.
 */
export async function recoverInterruptedWritesAbove(path: string): Promise<void> {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    await recoverInterruptedWrite(dir);
    if (dirname(dir) === dir) return;
  }
}

export async function ensureWorkspace(dir: string): Promise<void> {
  await mkdirDurably(dir);
}

export async function saveEstate(dir: string, estate: Estate): Promise<string> {
  await ensureWorkspace(dir);
  const path = join(dir, ESTATE_FILE);
  await writeAtomically(path, estateJson(estate));
  return path;
}

export const estateJson = (estate: Estate) => `${JSON.stringify(estate, null, 1)}\n`;

export async function loadEstate(dir: string): Promise<Estate> {
  await recoverInterruptedWrite(dir);
  const path = join(dir, ESTATE_FILE);
  const text = await readFile(path, 'utf8').catch(() => {
    throw new Error(`no estate in ${dir}: run "factory import <files…> --workspace ${dir}" first`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON; re-run factory import`);
  }
  const parsed = estateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${path} does not match the estate format at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`,
    );
  }
  return parsed.data;
}

/** Reads a workspace JSON file and validates it; errors name the file, the path in it and the rule. */
export async function readValidated<T>(
  path: string,
  schema: {
    safeParse: (
      value: unknown,
    ) =>
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  missing: string,
): Promise<T> {
  await recoverInterruptedWritesAbove(path);
  const text = await readFile(path, 'utf8').catch(() => {
    throw new Error(missing);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${path} is not valid at ${issue?.path.map(String).join('.') ?? '?'}: ${issue?.message ?? ''}`,
    );
  }
  return parsed.data;
}
