/** simulators/export-ca.ts, compose's `simulator-certificates` job: the CA certificate leaves, its key stays. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../cli/stack/temporal-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'mf-export-ca-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exportCa = () =>
  spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'simulators/export-ca.ts',
      '--state-dir',
      join(dir, 'state'),
      '--hostname',
      'simulator',
      '--out',
      join(dir, 'ca'),
    ],
    { cwd: projectRoot, encoding: 'utf8' },
  );

describe('simulator CA export', () => {
  it('copies only the CA certificate, and keeps the same CA on a second run', () => {
    const first = exportCa();
    expect(first.status, first.stderr).toBe(0);
    expect(readdirSync(join(dir, 'ca'))).toEqual(['ca.pem']);
    const ca = readFileSync(join(dir, 'ca', 'ca.pem'), 'utf8');
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(ca).not.toMatch(/PRIVATE KEY/);
    expect(existsSync(join(dir, 'state', 'ca-key.pem'))).toBe(true);
    expect(exportCa().status).toBe(0);
    expect(readFileSync(join(dir, 'ca', 'ca.pem'), 'utf8')).toBe(ca);
  });
});
