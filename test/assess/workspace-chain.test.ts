/**
 * estate.json → assessment.json → plan.json chained by content hash: each command refuses a stale
 * predecessor with exit 4 and the command to run (issue 17, problem 7: a second import kept the old
 * assessment, and plan planned it silently). Also: writes that a crash interrupted are completed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAssess } from '../../cli/assess/assess-command.ts';
import { toExit } from '../../cli/operate/exit-codes.ts';
import { runPlan } from '../../cli/plan/plan-command.ts';
import { runReport } from '../../cli/plan/report-command.ts';
import { runValidate } from '../../cli/plan/validate-command.ts';
import { loadWorkspaceArtifacts } from '../../workspace/artifact-store.ts';
import { StaleWorkspaceError } from '../../workspace/chain.ts';
import {
  loadEstate,
  recoverInterruptedWrite,
  WRITE_INTENT_FILE,
  writeAllAtomically,
} from '../../workspace/files.ts';
import { canonicalJson, contentSha256 } from '../../workspace/plan-files.ts';
import { docsFormats, importInto, runFactory, tempDir } from './helpers.ts';

const rvtools = join(docsFormats, 'rvtools');
const migrateImport = join(docsFormats, 'azure-migrate-import.csv');
const quiet = () => undefined;
const assess = (workspace: string, asOf = '2025-11-28') => runAssess({ workspace, asOf, print: quiet });
const plan = (workspace: string) => runPlan({ workspace, start: '2026-01-05', print: quiet });
const validate = (workspace: string) => runValidate({ workspace, print: quiet });

const staleAssessment = (ws: string) =>
  `assessment.json was made from an older estate.json: run \`factory assess --workspace ${ws}\``;
const stalePlan = (ws: string) =>
  `plan.json was made from an older assessment.json: run \`factory plan --workspace ${ws}\``;

/** A workspace imported, assessed and planned from the documented samples. */
async function planned(): Promise<string> {
  const workspace = tempDir('chain-');
  await importInto(workspace, [rvtools]);
  await assess(workspace);
  await plan(workspace);
  return workspace;
}

const editJson = (path: string, edit: (value: Record<string, unknown>) => void) => {
  const value = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(value);
  writeFileSync(path, JSON.stringify(value));
};

describe('the workspace chain', () => {
  it('records each predecessor’s hash and passes a fresh chain', async () => {
    const workspace = await planned();
    const estate = await loadEstate(workspace);
    const assessment = JSON.parse(readFileSync(join(workspace, 'assessment.json'), 'utf8')) as {
      estateSha256: string;
    };
    expect(assessment.estateSha256).toBe(contentSha256(estate));
    const { plan: onDisk, pins } = await loadWorkspaceArtifacts(workspace);
    expect(onDisk.inputs.estateSha256).toBe(pins.estate);
    expect(onDisk.inputs.assessmentSha256).toBe(pins.assessment);
    expect((await validate(workspace)).ok).toBe(true);
    await expect(runReport({ workspace, print: quiet })).resolves.toBeUndefined();
    // The same estate assessed the same way gives the same assessment: the plan stays fresh.
    await assess(workspace);
    expect((await validate(workspace)).ok).toBe(true);
  });

  describe('from the CLI: exit 4 naming the command', () => {
    let reimported: string;
    let reassessed: string;
    let unassessed: string;
    beforeAll(async () => {
      unassessed = tempDir('chain-');
      await importInto(unassessed, [rvtools]);
      reimported = await planned();
      await importInto(reimported, [rvtools, migrateImport]);
      reassessed = await planned();
      await assess(reassessed, '2025-12-31');
    });

    it('plan after import without assess', async () => {
      const run = await runFactory(['plan', '--workspace', unassessed]);
      expect(run.code).toBe(4);
      expect(run.stderr).toBe(
        `factory: no assessment.json in ${unassessed}: run \`factory assess --workspace ${unassessed}\`\n`,
      );
      expect(existsSync(join(unassessed, 'plan.json'))).toBe(false);
    }, 60_000);

    it('plan after import → assess → import (problem 7)', async () => {
      const before = readFileSync(join(reimported, 'plan.json'), 'utf8');
      const run = await runFactory(['plan', '--workspace', reimported]);
      expect(run.code).toBe(4);
      expect(run.stderr).toBe(`factory: ${staleAssessment(reimported)}\n`);
      expect(readFileSync(join(reimported, 'plan.json'), 'utf8')).toBe(before);
      const validated = await runFactory(['plan', 'validate', '--workspace', reimported]);
      expect(validated.code).toBe(4);
      expect(validated.stderr).toBe(`factory: ${staleAssessment(reimported)}\n`);
    }, 60_000);

    it('plan validate and preflight after a new assessment', async () => {
      const run = await runFactory(['plan', 'validate', '--workspace', reassessed]);
      expect(run.code).toBe(4);
      expect(run.stderr).toBe(`factory: ${stalePlan(reassessed)}\n`);
      const preflight = await runFactory([
        'preflight',
        'wave-01',
        '--workspace',
        reassessed,
        '--profile',
        'simulator',
      ]);
      expect(preflight.code).toBe(4);
      expect(preflight.stderr).toBe(`factory: ${stalePlan(reassessed)}\n`);
    }, 60_000);
  });

  it('refuses stale plans in report and in the artifacts waves are pinned to', async () => {
    const workspace = await planned();
    await assess(workspace, '2025-12-31');
    await expect(runReport({ workspace, print: quiet })).rejects.toThrow(stalePlan(workspace));
    const error: unknown = await loadWorkspaceArtifacts(workspace).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleWorkspaceError);
    expect(toExit(error)).toEqual({ exitCode: 4, message: stalePlan(workspace) });
  });

  it('refuses files that record no hash (older workspaces) with the same message', async () => {
    const workspace = await planned();
    editJson(
      join(workspace, 'plan.json'),
      (p) => delete (p.inputs as Record<string, unknown>).assessmentSha256,
    );
    await expect(validate(workspace)).rejects.toThrow(stalePlan(workspace));
    editJson(join(workspace, 'assessment.json'), (a) => delete a.estateSha256);
    await expect(plan(workspace)).rejects.toThrow(staleAssessment(workspace));
    await expect(validate(workspace)).rejects.toThrow(staleAssessment(workspace));
  });

  it('re-planning after re-assessing makes the chain fresh again', async () => {
    const workspace = await planned();
    await importInto(workspace, [rvtools, migrateImport]);
    await assess(workspace);
    const replanned = await plan(workspace);
    expect(replanned.inputs.estateSha256).toBe(contentSha256(await loadEstate(workspace)));
    expect((await validate(workspace)).ok).toBe(true);
  });
});

describe('workspace writes', () => {
  it('completes the renames of a multi-file write that a crash interrupted', async () => {
    const workspace = tempDir('chain-');
    mkdirSync(join(workspace, 'sub'));
    writeFileSync(join(workspace, 'a.json'), 'old a');
    writeFileSync(join(workspace, 'sub/b.json'), 'old b');
    // The state after a crash between the two renames: a is new, b's temporary file is still waiting.
    writeFileSync(join(workspace, 'a.json'), 'new a');
    writeFileSync(join(workspace, 'sub/b.json.42.tmp'), 'new b');
    writeFileSync(
      join(workspace, WRITE_INTENT_FILE),
      JSON.stringify({
        renames: [
          { temporary: 'a.json.42.tmp', path: 'a.json' },
          { temporary: 'sub/b.json.42.tmp', path: 'sub/b.json' },
        ],
      }),
    );
    expect(await recoverInterruptedWrite(workspace)).toBe(true);
    expect(readFileSync(join(workspace, 'a.json'), 'utf8')).toBe('new a');
    expect(readFileSync(join(workspace, 'sub/b.json'), 'utf8')).toBe('new b');
    expect(existsSync(join(workspace, 'sub/b.json.42.tmp'))).toBe(false);
    expect(existsSync(join(workspace, WRITE_INTENT_FILE))).toBe(false);
    expect(await recoverInterruptedWrite(workspace)).toBe(false);
  });

  it('ignores renames that leave the workspace', async () => {
    const workspace = tempDir('chain-');
    const outside = tempDir('chain-outside-');
    writeFileSync(join(outside, 'x.tmp'), 'x');
    writeFileSync(
      join(workspace, WRITE_INTENT_FILE),
      JSON.stringify({ renames: [{ temporary: join(outside, 'x.tmp'), path: '../y' }] }),
    );
    await recoverInterruptedWrite(workspace);
    expect(existsSync(join(outside, 'x.tmp'))).toBe(true);
  });

  it('leaves no temporary or intent file after a multi-file write', async () => {
    const workspace = tempDir('chain-');
    await writeAllAtomically([
      { path: join(workspace, 'one.json'), content: '1' },
      { path: join(workspace, 'nested/two.json'), content: '2' },
    ]);
    expect(readFileSync(join(workspace, 'nested/two.json'), 'utf8')).toBe('2');
    expect(existsSync(join(workspace, WRITE_INTENT_FILE))).toBe(false);
    expect(existsSync(join(workspace, 'one.json.tmp'))).toBe(false);
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every level and keeps the hashes already published', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ c: 1, b: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[{"b":2,"c":1}]},"b":1}',
    );
    // Numeric-looking keys sort as text, and an undefined array item stays empty, as they always did.
    expect(canonicalJson({ z: { '10': 1, '2': 2, b: 3 }, a: [1, undefined, 'é'] })).toBe(
      '{"a":[1,,"é"],"z":{"10":1,"2":2,"b":3}}',
    );
    expect(contentSha256({ b: [true, null], a: 'x' })).toBe(
      createHash('sha256').update('{"a":"x","b":[true,null]}').digest('hex'),
    );
  });
});
