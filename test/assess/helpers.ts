/** Shared helpers for the assess tests: temporary input folders and a workspace whose contents can be compared. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import ExcelJS from 'exceljs';
import { runImport, type ImportOutcome } from '../../cli/assess/import-command.ts';
import type { InputLimits } from '../../cli/assess/read-inputs.ts';

export const docsFormats = join(import.meta.dirname, '../../docs/formats');

export function tempDir(prefix = 'assess-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes files (text or bytes) into a fresh folder and returns their paths. */
export function writeInputs(files: Record<string, string | Buffer>): { dir: string; paths: string[] } {
  const dir = tempDir('assess-input-');
  const paths = Object.entries(files).map(([name, content]) => {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    return path;
  });
  return { dir, paths };
}

/** Every file under a folder (path relative to it) with its bytes, to prove an import left the workspace untouched. */
export function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry): [string, string] => {
        const path = join(entry.parentPath, entry.name);
        return [relative(dir, path), readFileSync(path, 'utf8')];
      })
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

export async function importInto(
  workspace: string,
  paths: string[],
  limits?: InputLimits,
): Promise<{ outcome: ImportOutcome; lines: string[] }> {
  const lines: string[] = [];
  const outcome = await runImport({
    paths,
    workspace,
    print: (line) => lines.push(line),
    ...(limits === undefined ? {} : { limits }),
  });
  return { outcome, lines };
}

/** Builds an xlsx workbook in memory from sheets of rows (first row = header). */
export async function xlsx(
  sheets: Record<string, (string | number | boolean | Date | null)[][]>,
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = workbook.addWorksheet(name);
    for (const row of rows) sheet.addRow(row);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Parses a small CSV literal (no quoting) into rows for xlsx building. */
export const rowsOf = (csv: string): string[][] =>
  csv
    .trim()
    .split('\n')
    .map((line) => line.split(','));

export const docsFile = (name: string) => readFileSync(join(docsFormats, name), 'utf8');

/** Runs the `factory` CLI in a child process, for what only the process shows: its exit code and stderr. */
export function runFactory(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(import.meta.dirname, '../../cli/factory.ts'), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
