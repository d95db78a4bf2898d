/**
 * Multi-file workspace writes commit with one rename of their manifest. A child process runs a real write
 * and exits at a step (a crash: no cleanup runs); what it leaves on disk, and what readers then see, is
 * checked: before the commit the old files stay and the new ones are dropped, after it the new ones win.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../cli/stack/temporal-cli.ts';
import {
  readValidated,
  recoverInterruptedWrite,
  WRITE_INTENT_FILE,
  writeAllAtomically,
} from '../../workspace/files.ts';
import { tempDir } from './helpers.ts';

const versioned = z.object({ version: z.number() });

/** Writes a.json, sub/b.json and new/deeper/c.json as version 2 in a child process that exits at `crashAt`. */
function crashingWrite(workspace: string, crashAt: 'staged' | 'committed' | 'renamed') {
  const script = `
    import { writeAllAtomically } from ${JSON.stringify(join(projectRoot, 'workspace/files.ts'))};
    const ws = ${JSON.stringify(workspace)};
    const v2 = JSON.stringify({ version: 2 });
    await writeAllAtomically(
      [
        { path: ws + '/a.json', content: v2 },
        { path: ws + '/sub/b.json', content: v2 },
        { path: ws + '/new/deeper/c.json', content: v2 },
      ],
      ws,
      (step) => { if (step === ${JSON.stringify(crashAt)}) process.exit(9); },
    );
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(9);
}

function workspaceAtVersion1(): string {
  const workspace = tempDir('durable-');
  mkdirSync(join(workspace, 'sub'));
  writeFileSync(join(workspace, 'a.json'), JSON.stringify({ version: 1 }));
  writeFileSync(join(workspace, 'sub/b.json'), JSON.stringify({ version: 1 }));
  return workspace;
}

const version = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { version: number }).version;
const temporaries = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.tmp'));

describe('durable multi-file workspace writes', () => {
  it('a crash after the new files are written, before the commit, leaves the old files; readers drop the new ones', async () => {
    const workspace = workspaceAtVersion1();
    crashingWrite(workspace, 'staged');
    // On disk: the old files untouched, the new ones only as flushed temporaries, the manifest still staging.
    expect(version(join(workspace, 'a.json'))).toBe(1);
    expect(version(join(workspace, 'sub/b.json'))).toBe(1);
    expect(existsSync(join(workspace, 'new/deeper/c.json'))).toBe(false);
    expect(temporaries(workspace)).toHaveLength(3);
    const manifest = JSON.parse(readFileSync(join(workspace, WRITE_INTENT_FILE), 'utf8')) as {
      state: string;
    };
    expect(manifest.state).toBe('staging');

    // A reader goes through the manifest: the uncommitted write is rolled back.
    const a = await readValidated(join(workspace, 'a.json'), versioned, 'missing');
    expect(a.version).toBe(1);
    expect(version(join(workspace, 'sub/b.json'))).toBe(1);
    expect(temporaries(workspace)).toEqual([]);
    expect(existsSync(join(workspace, WRITE_INTENT_FILE))).toBe(false);
  });

  it('a crash right after the commit rolls forward: every file is new for the next reader', async () => {
    const workspace = workspaceAtVersion1();
    crashingWrite(workspace, 'committed');
    expect(version(join(workspace, 'a.json'))).toBe(1);
    const b = await readValidated(join(workspace, 'sub/b.json'), versioned, 'missing');
    expect(b.version).toBe(2);
    expect(version(join(workspace, 'a.json'))).toBe(2);
    expect(version(join(workspace, 'new/deeper/c.json'))).toBe(2);
    expect(temporaries(workspace)).toEqual([]);
  });

  it('a crash between two renames leaves the files out of step on disk, and no reader sees that', async () => {
    const workspace = workspaceAtVersion1();
    crashingWrite(workspace, 'renamed');
    // The first file is in place, the second is not: exactly the state the manifest exists for.
    expect(version(join(workspace, 'a.json'))).toBe(2);
    expect(version(join(workspace, 'sub/b.json'))).toBe(1);
    expect(await recoverInterruptedWrite(workspace)).toBe(true);
    expect(version(join(workspace, 'sub/b.json'))).toBe(2);
    expect(version(join(workspace, 'new/deeper/c.json'))).toBe(2);
    expect(await recoverInterruptedWrite(workspace)).toBe(false);
  });

  it('a failed write (no crash) removes its temporaries and manifest and keeps the old files', async () => {
    const workspace = workspaceAtVersion1();
    // A file where a folder must be created: staging fails after a.json's temporary was written.
    writeFileSync(join(workspace, 'blocked'), 'a file');
    await expect(
      writeAllAtomically(
        [
          { path: join(workspace, 'a.json'), content: JSON.stringify({ version: 2 }) },
          { path: join(workspace, 'blocked/b.json'), content: JSON.stringify({ version: 2 }) },
        ],
        workspace,
      ),
    ).rejects.toThrow();
    expect(version(join(workspace, 'a.json'))).toBe(1);
    expect(temporaries(workspace)).toEqual([]);
    expect(existsSync(join(workspace, WRITE_INTENT_FILE))).toBe(false);
  });
});
