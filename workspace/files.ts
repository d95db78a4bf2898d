/**
 * The workspace is a folder of reviewable files: estate.json (from `factory import`) and
 * assessment.json, report.html, vms.csv and vms.xlsx (from `factory assess`). Every write goes to a temporary file in the
 * same folder, is flushed to disk and renamed into place, and the folder itself is flushed, so a crash,
 * a power cut or a full disk never leaves a half-written file.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { estateSchema, type Estate } from '../domain/inventory/estate-schema.ts';

export const ESTATE_FILE = 'estate.json';
export const ASSESSMENT_FILE = 'assessment.json';
export const REPORT_FILE = 'report.html';
/** Written while a multi-file write renames its files into place; present only after a crash. */
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

const temporaryOf = (path: string) => `${path}.${process.pid}.tmp`;

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
  /** Paths relative to the folder holding the intent, so a copied workspace still recovers. */
  renames: z.array(z.object({ temporary: z.string(), path: z.string() })),
});

/**
 * Writes several files so that either all of them are new or, on failure, none was replaced. The
 * renames are recorded first (`.write-intent.json` in `intentDir`): a crash half-way through them is
 * completed by the next load (`recoverInterruptedWrite`) instead of leaving the files out of step.
 */
export async function writeAllAtomically(
  files: { path: string; content: string | Uint8Array }[],
  intentDir = dirname(files[0]?.path ?? '.'),
): Promise<void> {
  await recoverInterruptedWrite(intentDir);
  const staged: { temporary: string; path: string }[] = [];
  const intent = join(intentDir, WRITE_INTENT_FILE);
  try {
    for (const file of files) {
      const temporary = temporaryOf(file.path);
      await mkdir(dirname(file.path), { recursive: true });
      await writeDurably(temporary, file.content);
      staged.push({ temporary, path: file.path });
    }
    const renames = staged.map((s) => ({
      temporary: relative(intentDir, s.temporary),
      path: relative(intentDir, s.path),
    }));
    await writeAtomically(intent, `${JSON.stringify({ renames })}\n`);
  } catch (error) {
    await Promise.all(staged.map((s) => rm(s.temporary, { force: true })));
    throw error;
  }
  for (const s of staged) await rename(s.temporary, s.path);
  for (const dir of new Set(staged.map((s) => dirname(s.path)))) await syncDirectory(dir);
  await rm(intent, { force: true });
  await syncDirectory(intentDir);
}

/**
 * Completes a multi-file write that a crash interrupted while renaming: its temporary files were all
 * flushed before the intent was written, so finishing the renames gives the state the write meant.
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
    // A concurrent load may have finished this rename already.
    await rename(temporary, path).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
  }
  await rm(intentPath, { force: true });
  await syncDirectory(dir);
  return true;
}

export async function ensureWorkspace(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
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
  await recoverInterruptedWrite(dirname(path));
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
