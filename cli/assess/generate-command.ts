/** `factory estate generate`: writes a generated estate's input files (for demos and the benchmark). */
import { join } from 'node:path';
import { csvLine } from '../../domain/inventory/csv.ts';
import { generateEstate, type GenerateOptions } from '../../domain/inventory/generate/estate-generator.ts';
import { ensureWorkspace, writeAtomically } from '../../workspace/files.ts';

export async function runGenerate(
  options: GenerateOptions & { out: string; print: (line: string) => void },
): Promise<string[]> {
  const files = generateEstate(options);
  await ensureWorkspace(options.out);
  const paths: string[] = [];
  for (const file of files) {
    const path = join(options.out, file.name);
    // Azure Migrate's import template is UTF-8 with a BOM; keep every file that way for Excel users.
    const text = `\uFEFF${[csvLine(file.header), ...file.rows.map(csvLine)].join('\r\n')}\r\n`;
    await writeAtomically(path, text);
    paths.push(path);
    options.print(`${path}: ${file.rows.length} rows`);
  }
  return paths;
}
