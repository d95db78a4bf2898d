/**
 * Every stored history of every released version (test/histories/<version>/, recorded by
 * `npm run histories:record` from the demo and chaos programs) replays against the current workflow code:
 * a change that would break waves started by an earlier release fails here (docs/upgrades.md).
 */
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../cli/stack/temporal-cli.ts';
import {
  findSecret,
  historiesRoot,
  readManifest,
  readStoredHistory,
  storedVersions,
  type StoredHistoryEntry,
} from '../../bench/stored-histories.ts';
import { bundleWorkflows } from '../../workers/bundle.ts';

// Replay workers log every state change at INFO; a determinism error is asserted, not read from the log.
Runtime.install({ logger: new DefaultLogger('ERROR') });

const versions = storedVersions();
const packageVersion = (
  JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }
).version;

async function replay(codePath: string, version: string, entries: StoredHistoryEntry[]) {
  const histories = entries.map((entry) => ({
    workflowId: entry.workflowId,
    history: readStoredHistory(version, entry),
  }));
  const results: { file: string; error: Error | undefined }[] = [];
  let i = 0;
  for await (const { error } of Worker.runReplayHistories({ workflowBundle: { codePath } }, histories))
    results.push({ file: entries[i++]!.file, error });
  return results;
}

describe('stored histories of released versions replay against the current workflow code', () => {
  it('there is at least one released version, none newer than package.json', () => {
    expect(versions.length).toBeGreaterThan(0);
    const [major, minor, patch] = packageVersion.split('.').map(Number);
    for (const version of versions) {
      const [a, b, c] = version.split('.').map(Number);
      expect([a! - major!, b! - minor!, c! - patch!].find((d) => d !== 0) ?? 0, version).toBeLessThanOrEqual(
        0,
      );
    }
  });

  describe.each(versions)('version %s', (version) => {
    const manifest = readManifest(version);

    it('covers the wave, batch and database workflows of the demo and chaos programs, without secrets', () => {
      const types = new Set(manifest.histories.map((h) => h.workflowType));
      for (const type of ['migrationWave', 'migrationBatch', 'migrationDatabase'])
        expect(types).toContain(type);
      expect(new Set(manifest.histories.map((h) => h.scenario))).toEqual(new Set(['demo', 'chaos']));
      for (const entry of manifest.histories) {
        const path = join(historiesRoot, version, entry.file);
        expect(existsSync(path), path).toBe(true);
        expect(findSecret(readFileSync(path, 'utf8')), entry.file).toBeUndefined();
      }
    });

    it('every history replays without a determinism error', async () => {
      const results = await replay(inject('workflowBundlePath'), version, manifest.histories);
      expect(results.length).toBe(manifest.histories.length);
      for (const { file, error } of results) expect(error, file).toBeUndefined();
    });
  });

  it('fails when a change is shipped without its patch guard', async () => {
    // The upgrade test's "next release" with the guard removed: an opening timer old runs never had.
    const dir = mkdtempSync(join(tmpdir(), 'mf-replay-stored-'));
    try {
      const unguarded = join(dir, 'unguarded.js');
      const path = fileURLToPath(new URL('../upgrade-workflows/next-release-unguarded.ts', import.meta.url));
      writeFileSync(unguarded, (await bundleWorkflows(path)).code);
      const version = versions[versions.length - 1]!;
      const waves = readManifest(version).histories.filter((h) => h.workflowType === 'migrationWave');
      const results = await replay(unguarded, version, waves);
      expect(results.length).toBeGreaterThan(0);
      for (const { file, error } of results) expect(error, file).toBeInstanceOf(DeterminismViolationError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
