/**
 * `factory import <files…>`: read, validate and merge the inputs, then write the workspace estate.
 *
 * Every input file is copied into the workspace (workspace/inputs.ts) and the estate is built from those
 * copies, so `--add` can rebuild it from all recorded inputs plus new ones with the same merge rules. A
 * plain import replaces the set of inputs. All-or-nothing unless `--quarantine`: then rows with errors
 * are held back in quarantine/ with their exact errors and the estate is built from the rest; errors that
 * are not about one row still fail the import. Either way a failed import leaves the workspace as it was.
 */
import { basename, extname, join, relative, resolve } from 'node:path';
import { readdir, rm, stat } from 'node:fs/promises';
import { buildEstate, type QuarantinedSheet } from '../../domain/inventory/build-estate.ts';
import { formatIssue, IssueLog, type ImportIssue } from '../../domain/inventory/issues.ts';
import { defaultLimits, expandPaths, readInputs, type InputLimits } from './read-inputs.ts';
import { ensureWorkspace, ESTATE_FILE, estateJson, writeAllAtomically } from '../../workspace/files.ts';
import {
  fileSha256,
  INPUTS_DIR,
  INPUTS_MANIFEST,
  inputFiles,
  loadInputManifest,
  manifestJson,
  pruneInputs,
  removeInputs,
  storeInput,
  type InputManifest,
  type RecordedInput,
} from '../../workspace/inputs.ts';
import { QUARANTINE_DIR, QUARANTINE_INDEX, quarantineFiles } from '../../workspace/quarantine.ts';

export interface ImportOptions {
  paths: string[];
  workspace: string;
  /** Merge these inputs into the workspace's recorded ones instead of replacing them. */
  add?: boolean;
  /** Import the good rows and hold the bad ones in quarantine/ instead of failing. */
  quarantine?: boolean;
  json?: boolean;
  limits?: InputLimits;
  /** The clock, read at the edge; recorded as each new input's import time. */
  now?: () => Date;
  print: (line: string) => void;
}

export interface ImportOutcome {
  ok: boolean;
  errors: ImportIssue[];
  warnings: ImportIssue[];
  estatePath?: string;
  counts?: Record<string, number>;
  /** Files copied into the workspace by this import, and files skipped as already imported. */
  inputs?: { added: string[]; skipped: { path: string; sameAs: string }[]; total: number };
  /** Rows held back by --quarantine: how many, with how many errors, and where. */
  quarantine?: { rows: number; errors: number; sheets: number; folder: string; files: string[] };
  /** True when --add found nothing new: the workspace was not touched. */
  unchanged?: boolean;
  /** Issues counted beyond the issue log's cap but not kept: `errors`/`warnings` are never silently short. */
  omitted: { errors: number; warnings: number };
}

const MAX_PRINTED = 50;
const ACCEPTED = new Set(['.csv', '.xlsx']);

interface Candidate {
  path: string;
  sha256: string;
  bytes: number;
}

/** Hashes the inputs; files that cannot be imported (missing, too large, wrong type) are left to the reader's errors. */
async function candidates(paths: string[], log: IssueLog, limits: InputLimits) {
  const files = await expandPaths(paths, log);
  const hashed: Candidate[] = [];
  const unhashed: string[] = [];
  for (const path of files) {
    const info = await stat(path).catch(() => undefined);
    if (
      info === undefined ||
      !info.isFile() ||
      info.size > limits.maxFileBytes ||
      !ACCEPTED.has(extname(path).toLowerCase())
    )
      unhashed.push(path);
    else hashed.push({ path, sha256: await fileSha256(path), bytes: info.size });
  }
  return { hashed, unhashed };
}

export async function runImport(options: ImportOptions): Promise<ImportOutcome> {
  const { workspace } = options;
  const limits = options.limits ?? defaultLimits;
  const manifest = options.add === true ? await loadInputManifest(workspace) : undefined;
  const quarantine = options.quarantine === true || manifest?.quarantine === true;
  // Quarantine writes every bad row, so it keeps every error (the rows are in memory anyway).
  const log = new IssueLog(quarantine ? Number.POSITIVE_INFINITY : undefined);
  if (options.add === true && manifest === undefined && (await exists(join(workspace, ESTATE_FILE))))
    log.error(
      { file: join(workspace, ESTATE_FILE) },
      'was imported before inputs were kept in the workspace, so nothing can be added to it: import every file again without --add',
    );

  const recorded = manifest?.inputs ?? [];
  const { hashed, unhashed } = await candidates(options.paths, log, limits);
  const known = new Map(recorded.map((input) => [input.sha256, input.originalPath]));
  const skipped: { path: string; sameAs: string }[] = [];
  const fresh: Candidate[] = [];
  for (const candidate of hashed) {
    const sameAs = known.get(candidate.sha256);
    if (sameAs !== undefined) skipped.push({ path: candidate.path, sameAs });
    else {
      known.set(candidate.sha256, resolve(candidate.path));
      fresh.push(candidate);
    }
  }
  const printSkipped = () => {
    if (options.json !== true)
      for (const s of skipped)
        options.print(`${s.path} is already imported (same content as ${s.sameAs}); skipped`);
  };
  if (options.add === true && fresh.length === 0 && unhashed.length === 0 && !log.hasErrors) {
    const outcome: ImportOutcome = {
      ok: true,
      errors: [],
      warnings: [],
      omitted: { errors: 0, warnings: 0 },
      inputs: { added: [], skipped, total: recorded.length },
      unchanged: true,
    };
    if (options.json === true) options.print(JSON.stringify(outcome, null, 2));
    else {
      printSkipped();
      options.print('Nothing new to import; the workspace is unchanged.');
    }
    return outcome;
  }

  // Copy first and build from the copies: the estate is then exactly what a later --add rebuilds.
  const workspaceExisted = await exists(workspace);
  const inputsExisted = await exists(join(workspace, INPUTS_DIR));
  const created: string[] = [];
  const importedAt = (options.now ?? (() => new Date()))().toISOString();
  const added: RecordedInput[] = [];
  for (const candidate of fresh) {
    await ensureWorkspace(workspace);
    const { stored, created: isNew } = await storeInput(workspace, candidate.path, candidate.sha256);
    if (isNew) created.push(candidate.sha256);
    added.push({
      sha256: candidate.sha256,
      bytes: candidate.bytes,
      originalPath: resolve(candidate.path),
      stored,
      importedAt,
    });
  }
  const inputs = [...(options.add === true ? recorded : []), ...added];
  const tables = await readInputs(
    [...inputs.map((input) => join(workspace, input.stored)), ...unhashed],
    log,
    limits,
  );
  const result = buildEstate(tables, log, { quarantine });

  if (!result.ok) {
    // Leave the workspace as it was: remove the copies this import made and folders it created.
    await removeInputs(workspace, created);
    if (!inputsExisted) await rm(join(workspace, INPUTS_DIR), { recursive: true, force: true });
    if (!workspaceExisted) await rm(workspace, { recursive: true, force: true });
    const outcome: ImportOutcome = {
      ok: false,
      errors: result.errors,
      warnings: result.warnings,
      omitted: result.suppressed,
    };
    if (options.json === true) {
      options.print(JSON.stringify(outcome, null, 2));
      return outcome;
    }
    printSkipped();
    options.print(
      `Import failed with ${outcome.errors.length + result.suppressed.errors} errors; the workspace is unchanged.`,
    );
    printIssues(options.print, outcome.errors, result.suppressed.errors);
    printWarnings(options.print, outcome.warnings, result.suppressed.warnings);
    return outcome;
  }

  const held = quarantineFiles(result.quarantined);
  const quarantineWarnings = quarantineWarningsOf(result.quarantined, held);
  const estate = {
    ...result.estate,
    inputs: inputFiles(inputs),
    warnings: [...result.estate.warnings, ...quarantineWarnings],
  };
  const newManifest: InputManifest = { formatVersion: 1, quarantine, inputs };
  const estatePath = join(workspace, ESTATE_FILE);
  await ensureWorkspace(workspace);
  await writeAllAtomically(
    [
      { path: estatePath, content: estateJson(estate) },
      { path: join(workspace, INPUTS_MANIFEST), content: manifestJson(newManifest) },
      ...(result.quarantined.length === 0
        ? []
        : held.map((file) => ({ path: join(workspace, file.path), content: file.content }))),
    ],
    workspace,
  );
  await pruneInputs(workspace, newManifest);
  // Quarantine files of an earlier import go: the folder describes this estate only.
  await removeStaleQuarantine(
    workspace,
    result.quarantined.length === 0 ? [] : held.map((file) => file.path),
  );

  const heldRows = result.quarantined.reduce((n, sheet) => n + sheet.rows.length, 0);
  const outcome: ImportOutcome = {
    ok: true,
    errors: [],
    warnings: [...result.warnings, ...quarantineWarnings],
    omitted: result.suppressed,
    estatePath,
    counts: {
      servers: estate.servers.length,
      hosts: estate.hosts.length,
      applications: estate.applications.length,
      databases: estate.databases.length,
      connections: estate.connections.length,
      sources: estate.sources.length,
    },
    inputs: { added: added.map((input) => input.originalPath), skipped, total: inputs.length },
    ...(quarantine
      ? {
          quarantine: {
            rows: heldRows,
            errors: result.quarantined.reduce(
              (n, sheet) => n + sheet.rows.reduce((m, row) => m + row.issues.length, 0),
              0,
            ),
            sheets: result.quarantined.length,
            folder: join(workspace, QUARANTINE_DIR),
            files: result.quarantined.length === 0 ? [] : held.map((file) => join(workspace, file.path)),
          },
        }
      : {}),
  };

  if (options.json === true) {
    options.print(JSON.stringify(outcome, null, 2));
    return outcome;
  }
  printSkipped();
  const c = outcome.counts ?? {};
  options.print(
    `Imported ${c.servers} servers, ${c.hosts} hosts, ${c.applications} applications, ${c.databases} databases, ` +
      `${c.connections} connections from ${c.sources} sheets into ${relative(process.cwd(), estatePath) || '.'}`,
  );
  if (options.add === true)
    options.print(`Added ${added.length} input file(s); the estate is built from ${inputs.length}.`);
  if (outcome.quarantine !== undefined) {
    const q = outcome.quarantine;
    options.print(
      q.rows === 0
        ? 'Quarantined 0 rows.'
        : `Quarantined ${q.rows} rows (${q.errors} errors) from ${q.sheets} sheets into ${relative(process.cwd(), q.folder) || '.'}: ` +
            `see ${QUARANTINE_INDEX} there; fix the rows and import again`,
    );
  }
  printWarnings(options.print, outcome.warnings, result.suppressed.warnings);
  return outcome;
}

function printIssues(print: (line: string) => void, issues: ImportIssue[], suppressed: number) {
  for (const issue of issues.slice(0, MAX_PRINTED)) print(`  ${formatIssue(issue)}`);
  const more = issues.length - MAX_PRINTED + suppressed;
  if (more > 0)
    print(
      suppressed > 0
        ? `  … and ${more} more (--json lists the first ${issues.length} and counts the ${suppressed} not kept)`
        : `  … and ${more} more (use --json for the full list)`,
    );
}

function printWarnings(print: (line: string) => void, warnings: ImportIssue[], suppressed: number) {
  if (warnings.length === 0) return;
  print(`${warnings.length + suppressed} warnings:`);
  printIssues(print, warnings, suppressed);
}

/** One warning per sheet with held rows, kept in estate.json so the assessment's reader sees the gap. */
function quarantineWarningsOf(
  sheets: readonly QuarantinedSheet[],
  files: readonly { path: string; rows: number }[],
): ImportIssue[] {
  return sheets.map((sheet, i) => ({
    severity: 'warning',
    file: sheet.file,
    ...(sheet.sheet === undefined ? {} : { sheet: sheet.sheet }),
    rule: `${sheet.rows.length} row(s) with errors quarantined to ${files[i]?.path ?? QUARANTINE_DIR}; not imported`,
  }));
}

async function removeStaleQuarantine(workspace: string, keep: readonly string[]) {
  const folder = join(workspace, QUARANTINE_DIR);
  if (keep.length === 0) return rm(folder, { recursive: true, force: true });
  const kept = new Set(keep.map((path) => basename(path)));
  for (const name of await readdir(folder).catch(() => [] as string[]))
    if (!kept.has(name)) await rm(join(folder, name), { recursive: true, force: true });
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
