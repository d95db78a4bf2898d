/** Recognises which accepted format a sheet or CSV file is, by sheet/file name first, then by headers. */
import { headerIndex, type Table } from './table.ts';
import { rvtoolsSignatures, rvtoolsTabs, type RvtoolsTab } from './rvtools.ts';

export type FormatId =
  | `rvtools-${RvtoolsTab}`
  | 'azure-migrate-import'
  | 'azure-migrate-assessed-machines'
  | 'azure-migrate-assessed-disks'
  | 'azure-migrate-dependencies'
  | 'service-catalog'
  | 'database-inventory';

/** RVTools' other 22 tabs and the assessment export's summary sheets carry nothing we use. */
const IGNORED_SHEETS = new Set(
  [
    'vCPU',
    'vMemory',
    'vCD',
    'vUSB',
    'vSnapshot',
    'vTools',
    'vSource',
    'vRP',
    'vCluster',
    'vHBA',
    'vNIC',
    'vSwitch',
    'vPort',
    'dvSwitch',
    'dvPort',
    'vSC_VMK',
    'vDatastore',
    'vMultiPath',
    'vLicense',
    'vFileInfo',
    'vHealth',
    'vMetaData',
    'Assessment_Summary',
    'Assessment_Properties',
  ].map((s) => s.toLowerCase()),
);

/**
 * Few, distinctive headers per format, so a file that lacks a required column is still recognised
 * and gets a "required column is missing" error rather than "unknown format". First match wins.
 */
const signatures: [FormatId, readonly string[]][] = [
  ['azure-migrate-assessed-machines', ['machine', 'azure vm readiness']],
  ['azure-migrate-assessed-disks', ['machine', 'disk name']],
  ['azure-migrate-dependencies', ['destination port']],
  ['azure-migrate-dependencies', ['source server name', 'destination server name']],
  ['azure-migrate-import', ['server name']],
  ['database-inventory', ['database', 'engine']],
  ['service-catalog', ['application', 'migration strategy']],
  ['service-catalog', ['application', 'business group']],
  ...rvtoolsTabs.map((tab): [FormatId, readonly string[]] => [`rvtools-${tab}`, rvtoolsSignatures[tab]]),
];

/** Sheets read by no importer: the xlsx reader does not even unzip them. */
export const isIgnoredSheet = (name: string): boolean => IGNORED_SHEETS.has(name.toLowerCase());

const tabByName = (name: string): RvtoolsTab | undefined =>
  rvtoolsTabs.find((tab) => tab.toLowerCase() === name.toLowerCase());

export type Detection = { kind: 'format'; format: FormatId } | { kind: 'ignored' } | { kind: 'unknown' };

export function detectFormat(table: Table): Detection {
  const named = table.sheet ?? /RVTools_tab(\w+)\.csv$/i.exec(table.file)?.[1];
  if (named !== undefined) {
    const tab = tabByName(named);
    if (tab !== undefined) return { kind: 'format', format: `rvtools-${tab}` };
    if (named.toLowerCase() === 'all_assessed_machines')
      return { kind: 'format', format: 'azure-migrate-assessed-machines' };
    if (named.toLowerCase() === 'all_assessed_disks')
      return { kind: 'format', format: 'azure-migrate-assessed-disks' };
    if (isIgnoredSheet(named)) return { kind: 'ignored' };
  }
  const headers = headerIndex(table);
  const match = signatures.find(([, needed]) => needed.every((h) => headers.has(h)));
  return match === undefined ? { kind: 'unknown' } : { kind: 'format', format: match[0] };
}

export const acceptedFormatsHint =
  'RVTools vInfo/vDisk/vPartition/vNetwork/vHost, Azure Migrate import CSV, Azure Migrate assessment export, ' +
  'Azure Migrate dependency export, service catalog CSV or database inventory CSV';
