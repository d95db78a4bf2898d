import { describe, expect, it } from 'vitest';
import { recogniseOs } from '../../domain/assess/operating-system.ts';
import { assessReadiness } from '../../domain/assess/readiness.ts';
import { disk, server } from './fixtures.ts';

const asOf = '2025-11-28';

describe('operating system recognition', () => {
  it.each([
    ['Microsoft Windows Server 2012 R2 Datacenter', 'Windows Server 2012 R2'],
    ['Microsoft Windows Server 2012 (64-bit)', 'Windows Server 2012'],
    ['Microsoft Windows Server 2008 R2 (64-bit)', 'Windows Server 2008 R2'],
    ['Red Hat Enterprise Linux 7 (64-bit)', 'Red Hat Enterprise Linux 7'],
    ['Red Hat Enterprise Linux 8.6 (Ootpa)', 'Red Hat Enterprise Linux 8'],
    ['CentOS Linux 7 (Core)', 'CentOS 7'],
    ['Ubuntu 18.04.6 LTS', 'Ubuntu 18.04'],
    ['SUSE Linux Enterprise Server 12 SP5', 'SUSE Linux Enterprise Server 12'],
    ['Debian GNU/Linux 10 (64-bit)', 'Debian 10'],
  ])('%s → %s', (text, product) => {
    expect(recogniseOs(text).entry?.product).toBe(product);
  });

  it('flags 32-bit guests and recognises vCenter\'s "Other … Linux" as Linux of no known distribution', () => {
    expect(recogniseOs('Microsoft Windows Server 2003 Standard (32-bit)').is32Bit).toBe(true);
    expect(recogniseOs('Other 3.x or later Linux (64-bit)')).toEqual({
      text: 'Other 3.x or later Linux (64-bit)',
      family: 'linux',
      architecture: '64-bit',
      is32Bit: false,
    });
    expect(recogniseOs(undefined).family).toBe('unknown');
  });

  it('returns version-less results with the hint the name gives instead of a version', () => {
    const centos = recogniseOs('CentOS 4/5 or later (64-bit)');
    expect(centos).toMatchObject({ family: 'linux', versionHint: '4/5 or later', architecture: '64-bit' });
    expect(centos.distribution?.name).toBe('CentOS');
    expect(centos.release).toBeUndefined();
    expect(centos.version).toBeUndefined();
    expect(recogniseOs('Red Hat Enterprise Linux Server release 6.10 (Santiago)')).toMatchObject({
      release: '6',
      version: { major: 6, minor: 10 },
    });
    expect(recogniseOs('SUSE Linux Enterprise Server 12 SP5').version).toEqual({ major: 12, minor: 5 });
    expect(recogniseOs('Ubuntu 22.04.3 LTS')).toMatchObject({ release: '22.04' });
  });
});

describe('readiness', () => {
  it('is Ready for a supported, in-support VM with ordinary disks', () => {
    expect(assessReadiness(server({ name: 'ok' }), asOf)).toMatchObject({ status: 'Ready', findings: [] });
  });

  it('is Ready past end of support, as Azure Migrate rates it, with a note and the Azure ESU remediation', () => {
    // Issue 17: end-of-support Windows was Conditionally ready here while Azure Migrate says Ready.
    for (const os of [
      'Microsoft Windows Server 2012 R2 Standard',
      'Microsoft Windows Server 2008 R2 (64-bit)',
      'Microsoft Windows Server 2008 (64-bit)',
    ]) {
      expect(assessReadiness(server({ name: 'old', os }), asOf).status).toBe('Ready');
    }
    const result = assessReadiness(
      server({ name: 'old', os: 'Microsoft Windows Server 2012 R2 Standard' }),
      asOf,
    );
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual([
      {
        check: 'end-of-support',
        code: 'os-end-of-support',
        reason: 'Windows Server 2012 R2 support ended 2023-10-10',
        remediation:
          'Migrating to Azure gives free Extended Security Updates until 2026-10-13; plan the OS upgrade before then.',
      },
    ]);
    expect(result.os.source).toContain('learn.microsoft.com/lifecycle');
  });

  it('rates Linux known only to the major version Conditionally ready, as Azure Migrate does', () => {
    const rhel7 = assessReadiness(server({ name: 'r', os: 'Red Hat Enterprise Linux 7 (64-bit)' }), asOf);
    expect(rhel7.status).toBe('Conditionally ready');
    expect(rhel7.findings).toEqual([
      {
        check: 'os',
        code: 'linux-minor-version-unknown',
        status: 'Conditionally ready',
        basis: 'azure-migrate',
        reason:
          'Red Hat Enterprise Linux 7: minor version unknown, so endorsement cannot be confirmed (Azure Migrate: Conditionally endorsed Linux OS, Conditionally ready)',
        remediation:
          "Confirm the exact release: VMware Tools' guest OS name (RVTools vInfo 'OS according to the VMware Tools') or Azure Migrate application discovery report it; then re-import. Endorsed: Red Hat Enterprise Linux 6.7 and later, 7.1 and later, 8, 9.",
      },
    ]);
    const exact = assessReadiness(server({ name: 'r', os: 'Red Hat Enterprise Linux Server 7.9' }), asOf);
    expect(exact.status).toBe('Ready');
    const versionless = assessReadiness(server({ name: 'c', os: 'CentOS 4/5 or later (64-bit)' }), asOf);
    expect(versionless.findings[0]?.reason).toBe(
      'CentOS version unknown ("CentOS 4/5 or later (64-bit)" names none): Azure Migrate rates it Conditionally ready (Conditionally endorsed Linux OS) until the version is confirmed',
    );
    const amazon = assessReadiness(server({ name: 'a', os: 'Amazon Linux 2' }), asOf);
    expect(amazon.findings.map((f) => [f.code, f.status, f.basis])).toEqual([
      ['linux-unendorsed', 'Conditionally ready', 'azure-migrate'],
      ['os-not-replicable', 'Not ready', 'site-recovery'],
    ]);
    expect(amazon.findings[1]?.reason).toBe(
      'Amazon Linux 2 cannot be replicated by Site Recovery (stricter than Azure Migrate, which rates it Conditionally ready)',
    );
  });

  it('is Not ready for Site Recovery-unsupported and 32-bit guests, saying what Azure Migrate says', () => {
    const result = assessReadiness(
      server({ name: 'w2k3', os: 'Microsoft Windows Server 2003 Standard (32-bit)' }),
      asOf,
    );
    expect(result.status).toBe('Not ready');
    expect(result.findings.map((f) => [f.code, f.status, f.basis])).toEqual([
      ['os-32-bit', 'Not ready', 'azure-migrate'],
      ['os-windows-out-of-support', 'Conditionally ready', 'azure-migrate'],
      ['os-not-replicable', 'Not ready', 'site-recovery'],
    ]);
  });

  it('is Unknown when the OS is not reported, unless something else is Not ready', () => {
    expect(assessReadiness(server({ name: 'x', os: undefined }), asOf).status).toBe('Unknown');
    const big = server({ name: 'y', os: undefined, disks: [disk({ id: 'os', sizeGiB: 3000 })] });
    expect(assessReadiness(big, asOf).status).toBe('Not ready');
  });

  it('applies the OS disk limit by boot type (2 TB BIOS, 4 TB UEFI) and the 32 TB data disk limit', () => {
    const osDisk = [disk({ id: 'os', sizeGiB: 3000 })];
    expect(assessReadiness(server({ name: 'bios', disks: osDisk }), asOf).status).toBe('Not ready');
    expect(assessReadiness(server({ name: 'uefi', firmware: 'UEFI', disks: osDisk }), asOf).status).toBe(
      'Ready',
    );
    const data = [
      disk({ id: 'os', sizeGiB: 100 }),
      disk({ id: 'd1', label: 'Hard disk 2', sizeGiB: 40_960 }),
    ];
    expect(assessReadiness(server({ name: 'data', disks: data }), asOf).findings[0]?.reason).toBe(
      'Hard disk 2 is 40960 GiB, above the 32767 GiB managed-disk limit',
    );
  });

  it('checks per-disk and per-VM churn and IOPS against the Site Recovery limits', () => {
    const churny = (mbps: number) =>
      server({ name: 'c', disks: [disk({ id: 'os', sizeGiB: 100, writeMBps: mbps })] });
    expect(assessReadiness(churny(5), asOf).status).toBe('Ready');
    expect(assessReadiness(churny(12), asOf).status).toBe('Conditionally ready');
    expect(assessReadiness(churny(21), asOf).status).toBe('Not ready');
    const manyDisks = server({
      name: 'v',
      disks: Array.from({ length: 4 }, (_, i) => disk({ id: `d${i}`, sizeGiB: 100, writeMBps: 15 })),
    });
    expect(
      assessReadiness(manyDisks, asOf).findings.some(
        (f) => f.reason === 'VM writes 60.0 MB/s in total, above 54 MB/s',
      ),
    ).toBe(true);
    const iops = server({
      name: 'i',
      disks: [disk({ id: 'os', sizeGiB: 100, readIops: 6000, writeIops: 2000 })],
    });
    expect(assessReadiness(iops, asOf).findings[0]).toMatchObject({ check: 'iops', status: 'Not ready' });
  });

  it('rejects shared disks, conditions RDM disks and UEFI Windows Server 2008 R2', () => {
    const shared = server({
      name: 's',
      disks: [disk({ id: 'os', sizeGiB: 100 }), disk({ id: 'q', sizeGiB: 10, shared: true })],
    });
    expect(assessReadiness(shared, asOf).status).toBe('Not ready');
    const rdm = server({
      name: 'r',
      disks: [disk({ id: 'os', sizeGiB: 100 }), disk({ id: 'q', sizeGiB: 10, raw: true })],
    });
    expect(assessReadiness(rdm, asOf).status).toBe('Conditionally ready');
    const w2k8 = server({ name: 'w', os: 'Microsoft Windows Server 2008 R2 (64-bit)', firmware: 'UEFI' });
    const uefi = assessReadiness(w2k8, asOf);
    expect(uefi.findings.map((f) => [f.code, f.basis])).toEqual([['boot-uefi-unsupported', 'azure-migrate']]);
    expect(uefi.notes.map((n) => n.code)).toEqual(['os-end-of-support']);
  });

  it('is Unknown without disk inventory', () => {
    expect(assessReadiness(server({ name: 'nodisk', disks: [] }), asOf)).toMatchObject({ status: 'Unknown' });
  });
});
