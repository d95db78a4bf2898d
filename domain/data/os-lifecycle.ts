/**
 * Guest operating systems as Azure Migrate, Azure Site Recovery and the vendors see them: per
 * distribution, how Azure Migrate rates it for an Azure VM, whether Azure endorses it, and per
 * release, whether Site Recovery (VMware/physical → Azure) can replicate it and when the vendor's
 * support ends.
 *
 * Sources (retrieved 2026-12-05):
 * - Azure Migrate readiness rules ("Guest operating system" table of the Azure VM assessment):
 *   https://learn.microsoft.com/azure/migrate/concepts-assessment-calculation (MicrosoftDocs/azure-docs
 *   articles/migrate/concepts-assessment-calculation.md, 2024-06 revision): Windows Server 2008 (64-bit),
 *   2008 R2, 2012, 2012 R2, 2016, 2019, 2022 → Ready; Windows Server 2003/2003 R2, 2000, NT, 98, 95, 3.1,
 *   MS-DOS, Windows 7, 8, 10, Vista, XP → Conditionally ready; Linux → Ready if the version is endorsed,
 *   else Conditionally ready; Solaris, macOS, FreeBSD and other OSes → Conditionally ready; OS "Other" in
 *   vCenter → Readiness unknown; 32-bit → Not ready (earlier revisions: Conditionally ready); UEFI with
 *   Windows Server 2003/2003 R2/2008/2008 R2 → Not ready. End of vendor support does not lower
 *   Azure Migrate's readiness of Windows Server 2008 and later.
 * - Azure Migrate readiness issue names and the "Linux VMs are conditionally ready" gap (vCenter gives
 *   no minor version, so e.g. RHEL 6.10 is seen as RHEL 6 and rated "Conditionally endorsed Linux OS"):
 *   https://learn.microsoft.com/azure/migrate/troubleshoot-assessment
 * - Endorsed distributions: https://learn.microsoft.com/azure/virtual-machines/linux/endorsed-distros
 *   (Canonical Ubuntu, credativ Debian, Kinvolk Flatcar, Oracle Linux, Red Hat RHEL, SUSE SLES; earlier
 *   revisions also CentOS by OpenLogic, openSUSE and CoreOS, with the lowest endorsed minor release per
 *   major: CentOS 6.3+, Debian 7.9+/8.2+, Oracle Linux 6.4+, RHEL 6.7+/7.1+, SLES 11 SP4/12 SP1+) and
 *   https://support.microsoft.com/help/2941892 ("Support for Linux and open-source technology in Azure").
 * - Site Recovery: "Replicated machines" in
 *   https://learn.microsoft.com/azure/site-recovery/vmware-physical-azure-support-matrix (64-bit Windows
 *   Server 2008 R2 SP1 and later, Windows Server 2008 SP2 32/64-bit for migration only, 64-bit Windows
 *   7 SP1/8/8.1/10/11; Linux: RHEL, CentOS, Oracle Linux, Ubuntu LTS, Debian, SLES, Rocky, AlmaLinux,
 *   64-bit only). Stricter than Azure Migrate's Azure VM readiness: readiness says so when it differs.
 * - Vendor lifecycle: the page named per release (`source`). Dates are the end of the last regular
 *   support phase (Microsoft extended support; Red Hat maintenance; Ubuntu standard support; SUSE
 *   general support; Debian LTS).
 */

export type OsFamily = 'windows' | 'linux' | 'other';

/**
 * How Azure Migrate rates a distribution for an Azure VM: `windows-server` Ready; `windows-legacy`
 * Conditionally ready (needs a Custom Support Agreement); `windows-client` Conditionally ready (needs a
 * Visual Studio subscription / multitenant hosting rights); `endorsed-linux` Ready when the release is
 * endorsed and known to the minor version, else Conditionally ready; `unendorsed-linux` and `other-os`
 * Conditionally ready.
 */
export type AzureOsRule =
  'windows-server' | 'windows-legacy' | 'windows-client' | 'endorsed-linux' | 'unendorsed-linux' | 'other-os';

export interface Distribution {
  name: string;
  family: OsFamily;
  azure: AzureOsRule;
  /** Site Recovery replicates some release of it (the release decides; unknown release → unconfirmed). */
  siteRecovery: boolean;
  /** Releases need a minor version (7.9, 12 SP5) to decide endorsement; Ubuntu's 22.04 is whole. */
  endorsementNeedsMinor: boolean;
  /** A rolling release (Flatcar, CoreOS): every release is endorsed, no version needed. */
  rolling?: boolean;
}

export interface OsRelease {
  distribution: string;
  /** As recognised: "2012 R2", "7", "22.04", "15". */
  release: string;
  product: string;
  /** ISO date; after it the vendor ships no more security fixes. Absent when not published. */
  endOfSupport?: string;
  /** Free Extended Security Updates when the VM runs in Azure, if any. */
  azureEsuUntil?: string;
  siteRecoverySupported: boolean;
  /** Endorsed Linux: the lowest endorsed minor release of this major; absent = not endorsed. */
  endorsedFromMinor?: number;
  source?: string;
}

const MS = 'https://learn.microsoft.com/lifecycle/products/';
const RHEL = 'https://access.redhat.com/support/policy/updates/errata';
const CENTOS = 'https://www.centos.org/centos-linux-eol/';
const UBUNTU = 'https://ubuntu.com/about/release-cycle';
const SUSE = 'https://www.suse.com/lifecycle/';
const DEBIAN = 'https://wiki.debian.org/LTS';
const ORACLE = 'https://www.oracle.com/a/ocom/docs/elsp-lifetime-069338.pdf';
const AMAZON = 'https://aws.amazon.com/amazon-linux-2/faqs/';
const ROCKY = 'https://wiki.rockylinux.org/rocky/version/';
const ALMA = 'https://wiki.almalinux.org/release-notes/';

const distribution = (
  name: string,
  family: OsFamily,
  azure: AzureOsRule,
  siteRecovery: boolean,
  endorsementNeedsMinor = false,
  rolling = false,
): Distribution => ({
  name,
  family,
  azure,
  siteRecovery,
  endorsementNeedsMinor,
  ...(rolling ? { rolling } : {}),
});

export const distributions: readonly Distribution[] = [
  distribution('Windows Server', 'windows', 'windows-server', true),
  distribution('Windows Server (legacy)', 'windows', 'windows-legacy', false),
  distribution('Windows', 'windows', 'windows-client', true),
  distribution('Red Hat Enterprise Linux', 'linux', 'endorsed-linux', true, true),
  distribution('CentOS', 'linux', 'endorsed-linux', true, true),
  distribution('CentOS Stream', 'linux', 'unendorsed-linux', false),
  distribution('Oracle Linux', 'linux', 'endorsed-linux', true, true),
  distribution('Ubuntu', 'linux', 'endorsed-linux', true),
  distribution('Debian', 'linux', 'endorsed-linux', true, true),
  distribution('SUSE Linux Enterprise Server', 'linux', 'endorsed-linux', true, true),
  distribution('openSUSE', 'linux', 'endorsed-linux', false, true),
  distribution('Flatcar Container Linux', 'linux', 'endorsed-linux', false, false, true),
  distribution('CoreOS', 'linux', 'endorsed-linux', false, false, true),
  distribution('Rocky Linux', 'linux', 'unendorsed-linux', true),
  distribution('AlmaLinux', 'linux', 'unendorsed-linux', true),
  distribution('Amazon Linux', 'linux', 'unendorsed-linux', false),
  distribution('Fedora', 'linux', 'unendorsed-linux', false),
  distribution('VMware Photon OS', 'linux', 'unendorsed-linux', false),
  distribution('Asianux', 'linux', 'unendorsed-linux', false),
  distribution('Azure Linux', 'linux', 'unendorsed-linux', false),
  distribution('Other Linux', 'linux', 'unendorsed-linux', false),
  distribution('FreeBSD', 'other', 'other-os', false),
  distribution('Oracle Solaris', 'other', 'other-os', false),
  distribution('macOS', 'other', 'other-os', false),
  distribution('Novell NetWare', 'other', 'other-os', false),
  distribution('IBM OS/2', 'other', 'other-os', false),
  distribution('SCO', 'other', 'other-os', false),
  distribution('VMware ESXi', 'other', 'other-os', false),
  distribution('MS-DOS', 'other', 'windows-legacy', false),
];

export const distributionNamed = new Map(distributions.map((d) => [d.name, d]));

type ReleaseRow = Omit<OsRelease, 'distribution' | 'product'> & { product?: string };

function releasesOf(name: string, rows: ReleaseRow[], productPrefix = name): OsRelease[] {
  return rows.map((row) => ({
    ...row,
    distribution: name,
    product: row.product ?? `${productPrefix} ${row.release}`,
  }));
}

export const osReleases: readonly OsRelease[] = [
  ...releasesOf('Windows Server', [
    {
      release: '2008',
      endOfSupport: '2020-01-14',
      azureEsuUntil: '2024-01-09',
      siteRecoverySupported: true,
      source: `${MS}windows-server-2008`,
    },
    {
      release: '2008 R2',
      endOfSupport: '2020-01-14',
      azureEsuUntil: '2024-01-09',
      siteRecoverySupported: true,
      source: `${MS}windows-server-2008-r2`,
    },
    {
      release: '2012',
      endOfSupport: '2023-10-10',
      azureEsuUntil: '2026-10-13',
      siteRecoverySupported: true,
      source: `${MS}windows-server-2012`,
    },
    {
      release: '2012 R2',
      endOfSupport: '2023-10-10',
      azureEsuUntil: '2026-10-13',
      siteRecoverySupported: true,
      source: `${MS}windows-server-2012-r2`,
    },
    {
      release: '2016',
      endOfSupport: '2027-01-12',
      siteRecoverySupported: true,
      source: `${MS}windows-server-2016`,
    },
    {
      release: '2019',
      endOfSupport: '2029-01-09',
      siteRecoverySupported: true,
      source: `${MS}windows-server-2019`,
    },
    {
      release: '2022',
      endOfSupport: '2031-10-14',
      siteRecoverySupported: true,
      source: `${MS}windows-server-2022`,
    },
    {
      release: '2025',
      endOfSupport: '2034-10-10',
      siteRecoverySupported: true,
      source: `${MS}windows-server-2025`,
    },
  ]),
  ...releasesOf(
    'Windows Server (legacy)',
    [
      {
        release: '2003',
        product: 'Windows Server 2003',
        endOfSupport: '2015-07-14',
        siteRecoverySupported: false,
        source: `${MS}windows-server-2003-`,
      },
      {
        release: '2003 R2',
        product: 'Windows Server 2003 R2',
        endOfSupport: '2015-07-14',
        siteRecoverySupported: false,
        source: `${MS}windows-server-2003-r2`,
      },
      {
        release: '2000',
        product: 'Windows 2000',
        endOfSupport: '2010-07-13',
        siteRecoverySupported: false,
        source: `${MS}windows-2000`,
      },
      {
        release: 'NT',
        product: 'Windows NT',
        endOfSupport: '2004-12-31',
        siteRecoverySupported: false,
        source: `${MS}windows-nt-server-40`,
      },
      {
        release: '98',
        product: 'Windows 98',
        endOfSupport: '2006-07-11',
        siteRecoverySupported: false,
        source: `${MS}windows-98`,
      },
      {
        release: '95',
        product: 'Windows 95',
        endOfSupport: '2001-12-31',
        siteRecoverySupported: false,
        source: `${MS}windows-95`,
      },
      { release: '3.1', product: 'Windows 3.1', siteRecoverySupported: false },
      {
        release: 'XP',
        product: 'Windows XP',
        endOfSupport: '2014-04-08',
        siteRecoverySupported: false,
        source: `${MS}windows-xp`,
      },
      {
        release: 'Vista',
        product: 'Windows Vista',
        endOfSupport: '2017-04-11',
        siteRecoverySupported: false,
        source: `${MS}windows-vista`,
      },
    ],
    'Windows',
  ),
  ...releasesOf('Windows', [
    {
      release: '7',
      endOfSupport: '2020-01-14',
      azureEsuUntil: '2023-01-10',
      siteRecoverySupported: true,
      source: `${MS}windows-7`,
    },
    {
      release: '8',
      endOfSupport: '2016-01-12',
      siteRecoverySupported: true,
      source: `${MS}windows-8`,
    },
    {
      release: '8.1',
      endOfSupport: '2023-01-10',
      siteRecoverySupported: true,
      source: `${MS}windows-81`,
    },
    {
      release: '10',
      endOfSupport: '2025-10-14',
      siteRecoverySupported: true,
      source: `${MS}windows-10-home-and-pro`,
    },
    {
      release: '11',
      endOfSupport: '2031-10-14',
      siteRecoverySupported: true,
      source: `${MS}windows-11-enterprise-and-education`,
    },
  ]),
  ...releasesOf('Red Hat Enterprise Linux', [
    { release: '4', endOfSupport: '2012-02-29', siteRecoverySupported: false, source: RHEL },
    { release: '5', endOfSupport: '2017-03-31', siteRecoverySupported: true, source: RHEL },
    {
      release: '6',
      endOfSupport: '2020-11-30',
      siteRecoverySupported: true,
      endorsedFromMinor: 7,
      source: RHEL,
    },
    {
      release: '7',
      endOfSupport: '2024-06-30',
      siteRecoverySupported: true,
      endorsedFromMinor: 1,
      source: RHEL,
    },
    {
      release: '8',
      endOfSupport: '2029-05-31',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: RHEL,
    },
    {
      release: '9',
      endOfSupport: '2032-05-31',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: RHEL,
    },
    { release: '10', endOfSupport: '2035-05-31', siteRecoverySupported: false, source: RHEL },
  ]),
  ...releasesOf('CentOS', [
    { release: '5', endOfSupport: '2017-03-31', siteRecoverySupported: true, source: CENTOS },
    {
      release: '6',
      endOfSupport: '2020-11-30',
      siteRecoverySupported: true,
      endorsedFromMinor: 3,
      source: CENTOS,
    },
    {
      release: '7',
      endOfSupport: '2024-06-30',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: CENTOS,
    },
    {
      release: '8',
      endOfSupport: '2021-12-31',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: CENTOS,
    },
  ]),
  ...releasesOf('Oracle Linux', [
    { release: '5', endOfSupport: '2017-06-30', siteRecoverySupported: false, source: ORACLE },
    {
      release: '6',
      endOfSupport: '2021-03-01',
      siteRecoverySupported: true,
      endorsedFromMinor: 4,
      source: ORACLE,
    },
    {
      release: '7',
      endOfSupport: '2024-12-31',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: ORACLE,
    },
    {
      release: '8',
      endOfSupport: '2029-07-31',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: ORACLE,
    },
    {
      release: '9',
      endOfSupport: '2032-06-30',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: ORACLE,
    },
  ]),
  ...releasesOf('Ubuntu', [
    {
      release: '12.04',
      endOfSupport: '2017-04-28',
      siteRecoverySupported: false,
      endorsedFromMinor: 0,
      source: UBUNTU,
    },
    {
      release: '14.04',
      endOfSupport: '2019-04-30',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: UBUNTU,
    },
    {
      release: '16.04',
      endOfSupport: '2021-04-30',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: UBUNTU,
    },
    {
      release: '18.04',
      endOfSupport: '2023-05-31',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: UBUNTU,
    },
    {
      release: '20.04',
      endOfSupport: '2025-05-31',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: UBUNTU,
    },
    {
      release: '22.04',
      endOfSupport: '2027-06-01',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: UBUNTU,
    },
    {
      release: '24.04',
      endOfSupport: '2029-05-31',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: UBUNTU,
    },
  ]),
  ...releasesOf('Debian', [
    { release: '6', endOfSupport: '2016-02-29', siteRecoverySupported: false, source: DEBIAN },
    {
      release: '7',
      endOfSupport: '2018-05-31',
      siteRecoverySupported: true,
      endorsedFromMinor: 9,
      source: DEBIAN,
    },
    {
      release: '8',
      endOfSupport: '2020-06-30',
      siteRecoverySupported: true,
      endorsedFromMinor: 2,
      source: DEBIAN,
    },
    {
      release: '9',
      endOfSupport: '2022-06-30',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: DEBIAN,
    },
    {
      release: '10',
      endOfSupport: '2024-06-30',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: DEBIAN,
    },
    {
      release: '11',
      endOfSupport: '2026-08-31',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: DEBIAN,
    },
    {
      release: '12',
      endOfSupport: '2028-06-30',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: DEBIAN,
    },
  ]),
  ...releasesOf('SUSE Linux Enterprise Server', [
    { release: '10', endOfSupport: '2013-07-31', siteRecoverySupported: false, source: SUSE },
    {
      release: '11',
      endOfSupport: '2019-03-31',
      siteRecoverySupported: true,
      endorsedFromMinor: 4,
      source: SUSE,
    },
    {
      release: '12',
      endOfSupport: '2024-10-31',
      siteRecoverySupported: true,
      endorsedFromMinor: 1,
      source: SUSE,
    },
    {
      release: '15',
      endOfSupport: '2031-07-31',
      siteRecoverySupported: true,
      endorsedFromMinor: 0,
      source: SUSE,
    },
  ]),
  ...releasesOf('openSUSE', [
    {
      release: '15',
      product: 'openSUSE Leap 15',
      siteRecoverySupported: false,
      endorsedFromMinor: 0,
      source: SUSE,
    },
  ]),
  ...releasesOf('Rocky Linux', [
    { release: '8', endOfSupport: '2029-05-31', siteRecoverySupported: true, source: ROCKY },
    { release: '9', endOfSupport: '2032-05-31', siteRecoverySupported: true, source: ROCKY },
  ]),
  ...releasesOf('AlmaLinux', [
    { release: '8', endOfSupport: '2029-03-01', siteRecoverySupported: true, source: ALMA },
    { release: '9', endOfSupport: '2032-05-31', siteRecoverySupported: true, source: ALMA },
  ]),
  ...releasesOf('Amazon Linux', [
    { release: '2', endOfSupport: '2026-06-30', siteRecoverySupported: false, source: AMAZON },
    { release: '2023', endOfSupport: '2029-06-30', siteRecoverySupported: false, source: AMAZON },
  ]),
];

const releaseKey = (distributionName: string, release: string) => `${distributionName}|${release}`;
const byKey = new Map(osReleases.map((r) => [releaseKey(r.distribution, r.release), r]));

export const findRelease = (distributionName: string, release: string): OsRelease | undefined =>
  byKey.get(releaseKey(distributionName, release));
