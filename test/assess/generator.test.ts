import { describe, expect, it } from 'vitest';
import { runGenerate } from '../../cli/assess/generate-command.ts';
import { loadEstate } from '../../workspace/files.ts';
import { generateEstate } from '../../domain/inventory/generate/estate-generator.ts';
import { importInto, tempDir } from './helpers.ts';

describe('estate generator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateEstate({ vms: 50, seed: 3 })).toEqual(generateEstate({ vms: 50, seed: 3 }));
    expect(generateEstate({ vms: 50, seed: 3 })).not.toEqual(generateEstate({ vms: 50, seed: 4 }));
  });

  it('writes every input format with the requested counts', () => {
    const files = generateEstate({ vms: 300, seed: 1, databases: 120, applications: 60, connections: 900 });
    const rows = Object.fromEntries(files.map((f) => [f.name, f.rows.length]));
    expect(rows['RVTools_tabvInfo.csv']).toBe(300);
    expect(rows['databases.csv']).toBe(120);
    expect(rows['azure-migrate-dependencies.csv']).toBe(900);
    // 60 applications, some left out of the catalog on purpose, plus the shared-infrastructure row.
    expect(rows['service-catalog.csv']).toBeGreaterThan(40);
    expect(rows['service-catalog.csv']).toBeLessThanOrEqual(61);
    const os = new Set(files.find((f) => f.name === 'RVTools_tabvInfo.csv')?.rows.map((r) => r[16]));
    expect([...os].some((name) => String(name).includes('2008 R2'))).toBe(true);
  });

  it('produces files that import without errors and merge into one estate', async () => {
    const out = tempDir();
    await runGenerate({ vms: 400, seed: 9, out, print: () => undefined });
    const workspace = tempDir();
    const { outcome } = await importInto(workspace, [out]);
    expect(outcome.errors).toEqual([]);
    const estate = await loadEstate(workspace);
    expect(estate.servers).toHaveLength(400);
    // Servers seen by RVTools and the Azure Migrate CSV are one record with both provenances.
    const merged = estate.servers.filter((s) =>
      new Set(s.provenance.map((p) => p.file)).has('azure-migrate-import.csv'),
    );
    expect(merged.length).toBeGreaterThan(150);
    expect(merged.every((s) => s.provenance.some((p) => p.file === 'RVTools_tabvInfo.csv'))).toBe(true);
    expect(estate.connections.length).toBeGreaterThan(0);
  });
});
