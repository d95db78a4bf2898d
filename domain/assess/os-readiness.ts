/**
 * The guest OS part of readiness. Azure Migrate's published rules first (they decide whether we agree
 * with Azure Migrate's readiness column), then Site Recovery's stricter list of OSes it can replicate
 * (basis `site-recovery`, so a disagreement says why). Sources: the header of domain/data/os-lifecycle.ts.
 */
import { osReleases } from '../data/os-lifecycle.ts';
import type { Server } from '../inventory/estate-schema.ts';
import { describeOs, type OsFacts } from './operating-system.ts';
import type { Finding, ReadinessNote } from './readiness.ts';

const confirmVersion =
  "Confirm the exact release: VMware Tools' guest OS name (RVTools vInfo 'OS according to the VMware Tools') or Azure Migrate application discovery report it; then re-import.";

/** "RHEL 7.1 and later, 8, 9": the endorsed releases of a distribution, for remediation texts. */
function endorsedReleases(distribution: string): string {
  const releases = osReleases.filter(
    (r) => r.distribution === distribution && r.endorsedFromMinor !== undefined,
  );
  return releases
    .map((r) =>
      r.endorsedFromMinor !== undefined && r.endorsedFromMinor > 0
        ? `${r.release}.${r.endorsedFromMinor} and later`
        : r.release,
    )
    .join(', ');
}

function notReplicable(os: OsFacts, azureMigrateSays: string): Finding {
  return {
    check: 'os',
    code: 'os-not-replicable',
    status: 'Not ready',
    basis: 'site-recovery',
    reason: `${describeOs(os)} cannot be replicated by Site Recovery (stricter than Azure Migrate, which rates it ${azureMigrateSays})`,
    remediation:
      'Upgrade the OS to one in the Site Recovery support matrix before migration, or rebuild the workload in Azure.',
  };
}

/** Linux: Ready only when the release is endorsed and known to the minor version Azure endorses from. */
function linuxFindings(os: OsFacts): Finding[] {
  const distribution = os.distribution;
  if (distribution === undefined) return [];
  const name = describeOs(os);
  const findings: Finding[] = [];
  if (distribution.rolling === true) {
    // Endorsed whatever the release: nothing to confirm.
  } else if (distribution.azure === 'unendorsed-linux') {
    findings.push({
      check: 'os',
      code: 'linux-unendorsed',
      status: 'Conditionally ready',
      basis: 'azure-migrate',
      reason: `${name} is not an Azure-endorsed Linux distribution (Azure Migrate: Unendorsed Linux OS, Conditionally ready)`,
      remediation:
        'It may start in Azure but Azure provides no OS support: consider an endorsed distribution (RHEL, Ubuntu, SLES, Debian, Oracle Linux).',
    });
  } else if (os.release === undefined) {
    findings.push({
      check: 'os',
      code: 'linux-version-unknown',
      status: 'Conditionally ready',
      basis: 'azure-migrate',
      reason: `${distribution.name} version unknown${os.text === undefined ? '' : ` ("${os.text}" names none)`}: Azure Migrate rates it Conditionally ready (Conditionally endorsed Linux OS) until the version is confirmed`,
      remediation: `${confirmVersion} Endorsed: ${distribution.name} ${endorsedReleases(distribution.name) || 'current releases'}.`,
    });
  } else {
    const from = os.entry?.endorsedFromMinor;
    const minor = os.version?.minor;
    if (from === undefined) {
      findings.push({
        check: 'os',
        code: 'linux-release-not-endorsed',
        status: 'Conditionally ready',
        basis: 'azure-migrate',
        reason: `${name} is not an Azure-endorsed release (Azure Migrate: Conditionally ready)`,
        remediation: `Upgrade to an endorsed release before migrating: ${distribution.name} ${endorsedReleases(distribution.name)}.`,
      });
    } else if (distribution.endorsementNeedsMinor && minor === undefined) {
      findings.push({
        check: 'os',
        code: 'linux-minor-version-unknown',
        status: 'Conditionally ready',
        basis: 'azure-migrate',
        reason: `${name}: minor version unknown, so endorsement cannot be confirmed (Azure Migrate: Conditionally endorsed Linux OS, Conditionally ready)`,
        remediation: `${confirmVersion} Endorsed: ${distribution.name} ${endorsedReleases(distribution.name)}.`,
      });
    } else if (minor !== undefined && minor < from) {
      findings.push({
        check: 'os',
        code: 'linux-release-not-endorsed',
        status: 'Conditionally ready',
        basis: 'azure-migrate',
        reason: `${name} is below the endorsed ${os.release}.${from} (Azure Migrate: Conditionally ready)`,
        remediation: `Update to ${distribution.name} ${os.release}.${from} or later before migrating.`,
      });
    }
  }
  const replicable =
    os.entry?.siteRecoverySupported ?? (os.release === undefined ? distribution.siteRecovery : false);
  if (!replicable) findings.push(notReplicable(os, 'Conditionally ready'));
  return findings;
}

export function operatingSystemFindings(os: OsFacts): Finding[] {
  if (os.text === undefined) {
    return [
      {
        check: 'os',
        code: 'os-not-reported',
        status: 'Unknown',
        basis: 'inventory',
        reason: 'guest OS not reported',
        remediation:
          'Install or update VMware Tools, or add the OS name to the Azure Migrate import CSV, then re-import.',
      },
    ];
  }
  const findings: Finding[] = [];
  if (os.is32Bit) {
    findings.push({
      check: 'os',
      code: 'os-32-bit',
      status: 'Not ready',
      basis: 'azure-migrate',
      reason: `32-bit guest OS (${os.text}): Azure Migrate rates 32-bit OSes Not ready (Unsupported bit version) and Site Recovery replicates 64-bit guests only (Windows Server 2008 SP2 excepted)`,
      remediation: 'Upgrade to a 64-bit OS before migration, or rebuild the workload in Azure.',
    });
  }
  const distribution = os.distribution;
  if (distribution === undefined) {
    const other = os.family === 'linux';
    findings.push({
      check: 'os',
      code: other ? 'os-other-linux' : 'os-unknown',
      status: 'Unknown',
      basis: 'azure-migrate',
      reason: other
        ? `guest OS given only as "${os.text}": Azure Migrate rates an OS specified as Other as Readiness unknown`
        : `guest OS "${os.text}" not recognised (Azure Migrate: Unknown operating system, Readiness unknown)`,
      remediation: `Make sure the OS is supported in Azure. ${confirmVersion}`,
    });
    return findings;
  }
  const name = describeOs(os);
  switch (distribution.azure) {
    case 'windows-server':
      if (os.release === undefined) {
        findings.push({
          check: 'os',
          code: 'os-version-unknown',
          status: 'Unknown',
          basis: 'azure-migrate',
          reason: `Windows Server version unknown ("${os.text}"): Azure Migrate rates Windows Server 2008 and later Ready and 2003 Conditionally ready`,
          remediation: confirmVersion,
        });
      } else if (os.entry?.siteRecoverySupported === false) {
        findings.push(notReplicable(os, 'Ready'));
      }
      break;
    case 'windows-legacy':
      findings.push({
        check: 'os',
        code: 'os-windows-out-of-support',
        status: 'Conditionally ready',
        basis: 'azure-migrate',
        reason: `${name} is past end of support and needs a Custom Support Agreement in Azure (Azure Migrate: Conditionally supported Windows OS)`,
        remediation: 'Upgrade the OS before migrating to Azure.',
      });
      findings.push(notReplicable(os, 'Conditionally ready'));
      break;
    case 'windows-client':
      findings.push({
        check: 'os',
        code: 'os-windows-client',
        status: 'Conditionally ready',
        basis: 'azure-migrate',
        reason: `${name} is a Windows client OS: Azure supports it only with a Visual Studio subscription or multitenant hosting rights (Azure Migrate: Conditionally ready)`,
        remediation:
          'Confirm the licensing (Visual Studio subscription, Windows 10/11 multitenant hosting rights) or move the workload to Windows Server.',
      });
      if (os.entry?.siteRecoverySupported === false) findings.push(notReplicable(os, 'Conditionally ready'));
      break;
    case 'endorsed-linux':
    case 'unendorsed-linux':
      findings.push(...linuxFindings(os));
      break;
    case 'other-os':
      findings.push({
        check: 'os',
        code: 'os-not-endorsed',
        status: 'Conditionally ready',
        basis: 'azure-migrate',
        reason: `${name} is not an OS Azure supports; it may start but gets no OS support (Azure Migrate: Conditionally ready)`,
        remediation: 'Install a supported OS before migrating, or rebuild the workload in Azure.',
      });
      findings.push(notReplicable(os, 'Conditionally ready'));
      break;
  }
  return findings;
}

/** Past the vendor's end of support: a note (Azure Migrate does not lower readiness for it). */
export function endOfSupportNotes(os: OsFacts, asOf: string): ReadinessNote[] {
  const entry = os.entry;
  if (entry?.endOfSupport === undefined || entry.endOfSupport > asOf) return [];
  const esu = entry.azureEsuUntil;
  return [
    {
      check: 'end-of-support',
      code: 'os-end-of-support',
      reason: `${entry.product} support ended ${entry.endOfSupport}`,
      remediation:
        esu !== undefined && esu > asOf
          ? `Migrating to Azure gives free Extended Security Updates until ${esu}; plan the OS upgrade before then.`
          : 'Upgrade the OS (before or right after migration); it receives no security fixes.',
    },
  ];
}

/**
 * Azure Migrate: UEFI with Windows Server 2003/2003 R2/2008/2008 R2 is Not ready. Windows 7 has no
 * Azure Generation 2 image either (Gen 2 needs Windows Server 2012 / Windows 8 or later): our stricter
 * Azure VM rule.
 */
export function uefiFinding(os: OsFacts, server: Server): Finding | undefined {
  if (server.firmware !== 'UEFI' || os.family !== 'windows') return undefined;
  const release = os.release ?? '';
  const azureMigrateRule = /^(2003|2008)/.test(release) && os.distribution?.azure !== 'windows-client';
  const gen2Rule = os.distribution?.name === 'Windows' && release === '7';
  if (!azureMigrateRule && !gen2Rule) return undefined;
  return {
    check: 'boot',
    code: 'boot-uefi-unsupported',
    status: 'Not ready',
    basis: azureMigrateRule ? 'azure-migrate' : 'azure-vm',
    reason: `UEFI boot with ${describeOs(os)}${azureMigrateRule ? ' (Azure Migrate: Unsupported boot type)' : ' (no Azure Generation 2 support; Azure Migrate does not check this)'}`,
    remediation:
      'Azure Generation 2 VMs need Windows Server 2012 / Windows 8 or later: upgrade the OS or convert to BIOS boot.',
  };
}
