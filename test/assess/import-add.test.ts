/**
 * `factory import --add`: new inputs merge into the workspace's estate, rebuilt from every recorded
 * input with the same merge rules (so provenance and conflicts equal one import of all the files);
 * an identical file is a no-op; a plain import replaces the set of inputs. Two vCenters' RVTools CSV
 * exports (published vInfo columns) share their file names, as real exports do.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../cli/assess/import-command.ts';
import { ESTATE_FILE, loadEstate } from '../../workspace/files.ts';
import { loadInputManifest } from '../../workspace/inputs.ts';
import { snapshot, tempDir, writeInputs } from './helpers.ts';

const VINFO_HEADER =
  'VM,Powerstate,Template,CPUs,Memory,Primary IP Address,Creation date,VM UUID,VI SDK Server';
const vinfo = (vcenter: string, names: string[]) =>
  `${[VINFO_HEADER, ...names.map((n, i) => `${n},poweredOn,False,2,4096,10.0.${vcenter.length}.${i + 1},2020-01-01,${vcenter}-uuid-${n},${vcenter}`)].join('\n')}\n`;

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const at = (iso: string) => () => new Date(iso);

async function importing(workspace: string, paths: string[], options: { add?: boolean; now?: string } = {}) {
  const lines: string[] = [];
  const outcome = await runImport({
    paths,
    workspace,
    ...(options.add === undefined ? {} : { add: options.add }),
    ...(options.now === undefined ? {} : { now: at(options.now) }),
    print: (line) => lines.push(line),
  });
  return { outcome, lines };
}

describe('import --add', () => {
  const { dir, paths } = writeInputs({
    'vc-east/RVTools_tabvInfo.csv': vinfo('vc-east', ['web01', 'db01']),
    'vc-west/RVTools_tabvInfo.csv': vinfo('vc-west', ['web01', 'app07']),
  });
  const [east = '', west = ''] = paths;

  it('adds a second vCenter with provenance, the same as importing both at once', async () => {
    const workspace = tempDir();
    await importing(workspace, [east], { now: '2026-01-05T09:00:00Z' });
    const { outcome, lines } = await importing(workspace, [west], {
      add: true,
      now: '2026-01-06T10:30:00Z',
    });
    expect(outcome.ok).toBe(true);
    expect(outcome.inputs).toEqual({ added: [west], skipped: [], total: 2 });
    expect(lines).toContain('Added 1 input file(s); the estate is built from 2.');

    const estate = await loadEstate(workspace);
    expect(estate.inputs).toEqual([
      { file: 'vc-east/RVTools_tabvInfo.csv', sha256: sha256(east), bytes: readFileSync(east).length },
      { file: 'vc-west/RVTools_tabvInfo.csv', sha256: sha256(west), bytes: readFileSync(west).length },
    ]);
    const provenance = estate.servers
      .map((s) => [s.vcenter, s.name, s.provenance] as const)
      .sort(([a, b], [c, d]) => `${a}/${b}`.localeCompare(`${c}/${d}`));
    expect(provenance).toEqual([
      ['vc-east', 'db01', [{ file: 'vc-east/RVTools_tabvInfo.csv', row: 3 }]],
      ['vc-east', 'web01', [{ file: 'vc-east/RVTools_tabvInfo.csv', row: 2 }]],
      ['vc-west', 'app07', [{ file: 'vc-west/RVTools_tabvInfo.csv', row: 3 }]],
      ['vc-west', 'web01', [{ file: 'vc-west/RVTools_tabvInfo.csv', row: 2 }]],
    ]);

    const together = tempDir();
    await importing(together, [east, west]);
    const { inputs: _a, ...added } = estate;
    const { inputs: _b, ...atOnce } = await loadEstate(together);
    expect(added).toEqual(atOnce);

    expect(await loadInputManifest(workspace)).toEqual({
      formatVersion: 1,
      quarantine: false,
      inputs: [
        {
          sha256: sha256(east),
          bytes: readFileSync(east).length,
          originalPath: east,
          stored: `inputs/${sha256(east)}/vc-east/RVTools_tabvInfo.csv`,
          importedAt: '2026-01-05T09:00:00.000Z',
        },
        {
          sha256: sha256(west),
          bytes: readFileSync(west).length,
          originalPath: west,
          stored: `inputs/${sha256(west)}/vc-west/RVTools_tabvInfo.csv`,
          importedAt: '2026-01-06T10:30:00.000Z',
        },
      ],
    });
    // The copies are the files' bytes, kept in the workspace.
    expect(readFileSync(join(workspace, `inputs/${sha256(west)}/vc-west/RVTools_tabvInfo.csv`))).toEqual(
      readFileSync(west),
    );
  });

  it('treats an identical file as a no-op with a message, even under another name', async () => {
    const workspace = tempDir();
    await importing(workspace, [east, west]);
    const before = snapshot(workspace);
    const copy = join(dir, 'copy-of-east.csv');
    writeFileSync(copy, readFileSync(east));
    const { outcome, lines } = await importing(workspace, [east, copy], { add: true });
    expect(outcome).toMatchObject({ ok: true, unchanged: true });
    expect(lines).toEqual([
      `${east} is already imported (same content as ${east}); skipped`,
      `${copy} is already imported (same content as ${east}); skipped`,
      'Nothing new to import; the workspace is unchanged.',
    ]);
    expect(snapshot(workspace)).toEqual(before);
  });

  it('replaces the inputs on a plain import and drops the copies no longer used', async () => {
    const workspace = tempDir();
    await importing(workspace, [east]);
    await importing(workspace, [west]);
    const estate = await loadEstate(workspace);
    expect(estate.servers.map((s) => s.vcenter)).toEqual(['vc-west', 'vc-west']);
    expect(readdirSync(join(workspace, 'inputs')).sort()).toEqual([sha256(west), 'manifest.json'].sort());
  });

  it('leaves the workspace as it was when the added file has errors', async () => {
    const workspace = tempDir();
    await importing(workspace, [east]);
    const before = snapshot(workspace);
    const bad = writeInputs({ 'RVTools_tabvInfo.csv': `${VINFO_HEADER}\nvm9,poweredOn,False,x,1,,,,vc9\n` });
    const { outcome } = await importing(workspace, bad.paths, { add: true });
    expect(outcome.ok).toBe(false);
    expect(snapshot(workspace)).toEqual(before);
  });

  it('refuses to add to an estate imported before inputs were kept', async () => {
    const workspace = tempDir();
    await importing(workspace, [east]);
    const estate = readFileSync(join(workspace, ESTATE_FILE));
    const old = tempDir();
    writeFileSync(join(old, ESTATE_FILE), estate);
    const { outcome } = await importing(old, [west], { add: true });
    expect(outcome.ok).toBe(false);
    expect(outcome.errors[0]).toEqual({
      severity: 'error',
      file: join(old, ESTATE_FILE),
      rule: 'was imported before inputs were kept in the workspace, so nothing can be added to it: import every file again without --add',
    });
  });
});
