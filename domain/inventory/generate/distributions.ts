/** Weighted choices and the estate's mixes (OS, sizes, engines), tuned to look like a 2020s VMware estate. */

export type Rng = () => number;

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

export function weighted<T>(rng: Rng, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  let roll = rng() * total;
  for (const [value, weight] of table) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return (table[table.length - 1] as readonly [T, number])[0];
}

/** Integer in [min, max], biased towards min by `skew` > 1 (many small, few large). */
export const skewedInt = (rng: Rng, min: number, max: number, skew = 2): number =>
  min + Math.floor(rng() ** skew * (max - min + 1));

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Guest OS as VMware Tools reports it; includes out-of-support versions on purpose. */
export const osMix: readonly (readonly [{ name: string; windows: boolean; uefiShare: number }, number])[] = [
  [{ name: 'Microsoft Windows Server 2003 Standard (32-bit)', windows: true, uefiShare: 0 }, 0.5],
  [{ name: 'Microsoft Windows Server 2008 R2 Enterprise', windows: true, uefiShare: 0 }, 4],
  [{ name: 'Microsoft Windows Server 2012 R2 Standard', windows: true, uefiShare: 0.1 }, 12],
  [{ name: 'Microsoft Windows Server 2016 Standard', windows: true, uefiShare: 0.3 }, 24],
  [{ name: 'Microsoft Windows Server 2019 Datacenter', windows: true, uefiShare: 0.5 }, 20],
  [{ name: 'Microsoft Windows Server 2022 Datacenter', windows: true, uefiShare: 0.8 }, 8],
  [{ name: 'Red Hat Enterprise Linux 6.10 (Santiago)', windows: false, uefiShare: 0 }, 2],
  [{ name: 'Red Hat Enterprise Linux 7.9 (Maipo)', windows: false, uefiShare: 0.1 }, 8],
  [{ name: 'Red Hat Enterprise Linux 8.8 (Ootpa)', windows: false, uefiShare: 0.4 }, 7],
  [{ name: 'CentOS Linux 7 (Core)', windows: false, uefiShare: 0.05 }, 3],
  [{ name: 'Ubuntu 16.04.7 LTS', windows: false, uefiShare: 0 }, 2],
  [{ name: 'Ubuntu 18.04.6 LTS', windows: false, uefiShare: 0.1 }, 3.5],
  [{ name: 'Ubuntu 20.04.6 LTS', windows: false, uefiShare: 0.3 }, 3],
  [{ name: 'Ubuntu 22.04.3 LTS', windows: false, uefiShare: 0.5 }, 1.5],
  [{ name: 'SUSE Linux Enterprise Server 12 SP5', windows: false, uefiShare: 0.1 }, 1],
  [{ name: 'Other 3.x or later Linux (64-bit)', windows: false, uefiShare: 0 }, 0.5],
];

export const cpuMix = [
  [1, 6],
  [2, 30],
  [4, 34],
  [8, 19],
  [16, 8],
  [32, 2.5],
  [64, 0.5],
] as const;

export const memoryPerCpuGiB = [
  [2, 25],
  [4, 45],
  [8, 25],
  [16, 5],
] as const;

export const businessGroups = [
  'Sales',
  'Finance',
  'HR',
  'Supply Chain',
  'Manufacturing',
  'Marketing',
  'Customer Service',
  'R&D',
  'Legal',
  'IT',
] as const;

export const appNouns = [
  'portal',
  'ledger',
  'payroll',
  'crm',
  'billing',
  'inventory',
  'reporting',
  'search',
  'docs',
  'orders',
  'pricing',
  'analytics',
  'intranet',
  'scheduler',
  'gateway',
  'archive',
] as const;

export const sqlServerVersions = [
  ['2005', 1],
  ['2008 R2', 5],
  ['2012', 10],
  ['2014', 18],
  ['2016', 28],
  ['2017', 15],
  ['2019', 17],
  ['2022', 6],
] as const;
export const mysqlVersions = [
  ['5.6', 15],
  ['5.7', 45],
  ['8.0', 40],
] as const;
export const postgresVersions = [
  ['9.6', 8],
  ['10', 10],
  ['11', 12],
  ['12', 20],
  ['13', 20],
  ['14', 18],
  ['15', 12],
] as const;

/** Shared infrastructure services every server talks to: filtered out of dependency grouping. */
export const infrastructureServices = [
  { role: 'dns', port: 53, process: 'dns.exe' },
  { role: 'ad', port: 389, process: 'lsass.exe' },
  { role: 'mon', port: 10050, process: 'zabbix_agentd' },
  { role: 'bak', port: 9102, process: 'bacula-fd' },
] as const;
