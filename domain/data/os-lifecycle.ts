/**
 * Guest operating systems: whether Azure Site Recovery (VMware → Azure) can replicate them, and when
 * their vendor's support ends (technical debt). First matching pattern wins, so specific entries come
 * before general ones. Dates are the end of the last regular support phase (Microsoft extended
 * support; Red Hat maintenance; Ubuntu standard support; SUSE general support; Debian LTS).
 *
 * Compiled 2025-11-28 from the vendor lifecycle page named per entry (`source`). Site Recovery support:
 * "Replicated machines" in
 * https://learn.microsoft.com/azure/site-recovery/vmware-physical-azure-support-matrix ("64-bit Windows
 * Server 2016, 2012 R2, 2012, 2008 R2 with at least SP1"; Linux distributions by version; 32-bit guests
 * are not supported).
 */

export interface OsEntry {
  product: string;
  family: 'windows' | 'linux';
  pattern: RegExp;
  /** ISO date; after it the vendor ships no more security fixes. */
  endOfSupport: string;
  /** Site Recovery can replicate this OS (VMware/physical → Azure). */
  siteRecoverySupported: boolean;
  /** Free Extended Security Updates when the VM runs in Azure, if any. */
  azureEsuUntil?: string;
  source: string;
}

const MS = 'https://learn.microsoft.com/lifecycle/products/';
const RHEL = 'https://access.redhat.com/support/policy/updates/errata';
const CENTOS = 'https://www.centos.org/centos-linux-eol/';
const UBUNTU = 'https://ubuntu.com/about/release-cycle';
const SUSE = 'https://www.suse.com/lifecycle/';
const DEBIAN = 'https://wiki.debian.org/LTS';
const ORACLE = 'https://www.oracle.com/a/ocom/docs/elsp-lifetime-069338.pdf';

export const osLifecycle: readonly OsEntry[] = [
  {
    product: 'Windows Server 2003',
    family: 'windows',
    pattern: /windows server 2003/,
    endOfSupport: '2015-07-14',
    siteRecoverySupported: false,
    source: `${MS}windows-server-2003-`,
  },
  {
    product: 'Windows Server 2008 R2',
    family: 'windows',
    pattern: /windows server 2008 r2/,
    endOfSupport: '2020-01-14',
    siteRecoverySupported: true,
    azureEsuUntil: '2024-01-09',
    source: `${MS}windows-server-2008-r2`,
  },
  {
    product: 'Windows Server 2008',
    family: 'windows',
    pattern: /windows server 2008/,
    endOfSupport: '2020-01-14',
    siteRecoverySupported: false,
    source: `${MS}windows-server-2008`,
  },
  {
    product: 'Windows Server 2012 R2',
    family: 'windows',
    pattern: /windows server 2012 r2/,
    endOfSupport: '2023-10-10',
    siteRecoverySupported: true,
    azureEsuUntil: '2026-10-13',
    source: `${MS}windows-server-2012-r2`,
  },
  {
    product: 'Windows Server 2012',
    family: 'windows',
    pattern: /windows server 2012/,
    endOfSupport: '2023-10-10',
    siteRecoverySupported: true,
    azureEsuUntil: '2026-10-13',
    source: `${MS}windows-server-2012`,
  },
  {
    product: 'Windows Server 2016',
    family: 'windows',
    pattern: /windows server 2016/,
    endOfSupport: '2027-01-12',
    siteRecoverySupported: true,
    source: `${MS}windows-server-2016`,
  },
  {
    product: 'Windows Server 2019',
    family: 'windows',
    pattern: /windows server 2019/,
    endOfSupport: '2029-01-09',
    siteRecoverySupported: true,
    source: `${MS}windows-server-2019`,
  },
  {
    product: 'Windows Server 2022',
    family: 'windows',
    pattern: /windows server 2022/,
    endOfSupport: '2031-10-14',
    siteRecoverySupported: true,
    source: `${MS}windows-server-2022`,
  },
  {
    product: 'Windows Server 2025',
    family: 'windows',
    pattern: /windows server 2025/,
    endOfSupport: '2034-10-10',
    siteRecoverySupported: true,
    source: `${MS}windows-server-2025`,
  },
  {
    product: 'Windows XP',
    family: 'windows',
    pattern: /windows xp/,
    endOfSupport: '2014-04-08',
    siteRecoverySupported: false,
    source: `${MS}windows-xp`,
  },
  {
    product: 'Windows 7',
    family: 'windows',
    pattern: /windows 7/,
    endOfSupport: '2020-01-14',
    siteRecoverySupported: true,
    source: `${MS}windows-7`,
  },
  {
    product: 'Windows 10',
    family: 'windows',
    pattern: /windows 10/,
    endOfSupport: '2025-10-14',
    siteRecoverySupported: true,
    source: `${MS}windows-10-home-and-pro`,
  },
  {
    product: 'Windows 11',
    family: 'windows',
    pattern: /windows 11/,
    endOfSupport: '2031-10-14',
    siteRecoverySupported: true,
    source: `${MS}windows-11-enterprise-and-education`,
  },
  {
    product: 'Red Hat Enterprise Linux 5',
    family: 'linux',
    pattern: /(red hat enterprise linux|rhel)\D*5(\.|\b)/,
    endOfSupport: '2017-03-31',
    siteRecoverySupported: true,
    source: RHEL,
  },
  {
    product: 'Red Hat Enterprise Linux 6',
    family: 'linux',
    pattern: /(red hat enterprise linux|rhel)\D*6(\.|\b)/,
    endOfSupport: '2020-11-30',
    siteRecoverySupported: true,
    source: RHEL,
  },
  {
    product: 'Red Hat Enterprise Linux 7',
    family: 'linux',
    pattern: /(red hat enterprise linux|rhel)\D*7(\.|\b)/,
    endOfSupport: '2024-06-30',
    siteRecoverySupported: true,
    source: RHEL,
  },
  {
    product: 'Red Hat Enterprise Linux 8',
    family: 'linux',
    pattern: /(red hat enterprise linux|rhel)\D*8(\.|\b)/,
    endOfSupport: '2029-05-31',
    siteRecoverySupported: true,
    source: RHEL,
  },
  {
    product: 'Red Hat Enterprise Linux 9',
    family: 'linux',
    pattern: /(red hat enterprise linux|rhel)\D*9(\.|\b)/,
    endOfSupport: '2032-05-31',
    siteRecoverySupported: true,
    source: RHEL,
  },
  {
    product: 'CentOS 6',
    family: 'linux',
    pattern: /centos\D*6(\.|\b)/,
    endOfSupport: '2020-11-30',
    siteRecoverySupported: true,
    source: CENTOS,
  },
  {
    product: 'CentOS 7',
    family: 'linux',
    pattern: /centos\D*7(\.|\b)/,
    endOfSupport: '2024-06-30',
    siteRecoverySupported: true,
    source: CENTOS,
  },
  {
    product: 'CentOS 8',
    family: 'linux',
    pattern: /centos\D*8(\.|\b)/,
    endOfSupport: '2021-12-31',
    siteRecoverySupported: true,
    source: CENTOS,
  },
  {
    product: 'Ubuntu 14.04',
    family: 'linux',
    pattern: /ubuntu\D*14\.04/,
    endOfSupport: '2019-04-30',
    siteRecoverySupported: true,
    source: UBUNTU,
  },
  {
    product: 'Ubuntu 16.04',
    family: 'linux',
    pattern: /ubuntu\D*16\.04/,
    endOfSupport: '2021-04-30',
    siteRecoverySupported: true,
    source: UBUNTU,
  },
  {
    product: 'Ubuntu 18.04',
    family: 'linux',
    pattern: /ubuntu\D*18\.04/,
    endOfSupport: '2023-05-31',
    siteRecoverySupported: true,
    source: UBUNTU,
  },
  {
    product: 'Ubuntu 20.04',
    family: 'linux',
    pattern: /ubuntu\D*20\.04/,
    endOfSupport: '2025-05-31',
    siteRecoverySupported: true,
    source: UBUNTU,
  },
  {
    product: 'Ubuntu 22.04',
    family: 'linux',
    pattern: /ubuntu\D*22\.04/,
    endOfSupport: '2027-06-01',
    siteRecoverySupported: true,
    source: UBUNTU,
  },
  {
    product: 'Ubuntu 24.04',
    family: 'linux',
    pattern: /ubuntu\D*24\.04/,
    endOfSupport: '2029-05-31',
    siteRecoverySupported: true,
    source: UBUNTU,
  },
  {
    product: 'SUSE Linux Enterprise Server 11',
    family: 'linux',
    pattern: /(suse linux enterprise|sles)\D*11\b/,
    endOfSupport: '2019-03-31',
    siteRecoverySupported: true,
    source: SUSE,
  },
  {
    product: 'SUSE Linux Enterprise Server 12',
    family: 'linux',
    pattern: /(suse linux enterprise|sles)\D*12\b/,
    endOfSupport: '2024-10-31',
    siteRecoverySupported: true,
    source: SUSE,
  },
  {
    product: 'SUSE Linux Enterprise Server 15',
    family: 'linux',
    pattern: /(suse linux enterprise|sles)\D*15\b/,
    endOfSupport: '2031-07-31',
    siteRecoverySupported: true,
    source: SUSE,
  },
  {
    product: 'Debian 8',
    family: 'linux',
    pattern: /debian\D*8\b/,
    endOfSupport: '2020-06-30',
    siteRecoverySupported: true,
    source: DEBIAN,
  },
  {
    product: 'Debian 9',
    family: 'linux',
    pattern: /debian\D*9\b/,
    endOfSupport: '2022-06-30',
    siteRecoverySupported: true,
    source: DEBIAN,
  },
  {
    product: 'Debian 10',
    family: 'linux',
    pattern: /debian\D*10\b/,
    endOfSupport: '2024-06-30',
    siteRecoverySupported: true,
    source: DEBIAN,
  },
  {
    product: 'Debian 11',
    family: 'linux',
    pattern: /debian\D*11\b/,
    endOfSupport: '2026-08-31',
    siteRecoverySupported: true,
    source: DEBIAN,
  },
  {
    product: 'Debian 12',
    family: 'linux',
    pattern: /debian\D*12\b/,
    endOfSupport: '2028-06-30',
    siteRecoverySupported: true,
    source: DEBIAN,
  },
  {
    product: 'Oracle Linux 6',
    family: 'linux',
    pattern: /oracle linux\D*6(\.|\b)/,
    endOfSupport: '2021-03-01',
    siteRecoverySupported: true,
    source: ORACLE,
  },
  {
    product: 'Oracle Linux 7',
    family: 'linux',
    pattern: /oracle linux\D*7(\.|\b)/,
    endOfSupport: '2024-12-31',
    siteRecoverySupported: true,
    source: ORACLE,
  },
  {
    product: 'Oracle Linux 8',
    family: 'linux',
    pattern: /oracle linux\D*8(\.|\b)/,
    endOfSupport: '2029-07-31',
    siteRecoverySupported: true,
    source: ORACLE,
  },
  {
    product: 'Oracle Linux 9',
    family: 'linux',
    pattern: /oracle linux\D*9(\.|\b)/,
    endOfSupport: '2032-06-30',
    siteRecoverySupported: true,
    source: ORACLE,
  },
];
