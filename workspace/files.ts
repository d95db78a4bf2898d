/**
 * The workspace is a folder of reviewable files: estate.json (from `factory import`) and
 * assessment.json, report.html, vms.csv and vms.xlsx (from `factory assess`). Every write goes to a temporary file in the
 * same folder and is renamed into place, so a crash or a full disk never leaves a half-written file.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { estateSchema, type Estate } from '../domain/inventory/estate-schema.ts';

export const ESTATE_FILE = 'estate.json';
export const ASSESSMENT_FILE = 'assessment.json';
export const REPORT_FILE = 'report.html';
export const VMS_CSV_FILE = 'vms.csv';
export const VMS_XLSX_FILE = 'vms.xlsx';

export async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes several files so that either all of them are new or, on failure, none was replaced. */
export async function writeAllAtomically(
  files: { path: string; content: string | Uint8Array }[],
): Promise<void> {
  const staged: { temporary: string; path: string }[] = [];
  try {
    for (const file of files) {
      const temporary = `${file.path}.${process.pid}.tmp`;
      await writeFile(temporary, file.content);
      staged.push({ temporary, path: file.path });
    }
  } catch (error) {
    await Promise.all(staged.map((s) => rm(s.temporary, { force: true })));
    throw error;
  }
  for (const s of staged) await rename(s.temporary, s.path);
}

export async function ensureWorkspace(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

export async function saveEstate(dir: string, estate: Estate): Promise<string> {
  await ensureWorkspace(dir);
  const path = join(dir, ESTATE_FILE);
  await writeAtomically(path, `${JSON.stringify(estate, null, 1)}\n`);
  return path;
}

export async function loadEstate(dir: string): Promise<Estate> {
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
