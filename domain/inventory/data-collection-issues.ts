/**
 * Reads Azure Migrate's "Data collection issues" cell into the performance counters it says are
 * missing. Where a counter had no data, Azure Migrate writes 0 into the utilisation column; that 0 is
 * not a measurement and must not become a 0 % sample.
 *
 * Wordings handled (several issues per cell, separated by ';', '|' or line breaks):
 * - the assessment API's codes, as the export writes them (Microsoft Learn, "Troubleshoot assessments":
 *   "the assessment report export says 'PercentageOfCoresUtilizedMissing' or
 *   'PercentageOfMemoryUtilizedMissing'"; the REST API's AssessedDisk suitabilityDetail
 *   `NumberOfReadOperationsPerSecondMissing`, `MegabytesPerSecondOfWriteMissing`, …; network adapter
 *   `MegabytesOfDataTransmittedMissing` / `…ReceivedMissing`), also split into words;
 * - the portal's sentences: "No data for CPU utilization", "Performance data not available for memory",
 *   "Disk IOPS data could not be collected", "Network in/out data missing".
 * A phrase must say the data is absent (missing, no data, not available, not collected) and name the
 * counter; "…OutOfRange" codes and disk-size codes (DiskGigabytesConsumedMissing) are not performance gaps.
 */
import { performanceCounters, type PerformanceCounter } from './estate-schema.ts';

const ABSENT =
  /missing|no\s*(performance\s*)?data|not\s*(been\s*)?(available|collected)|unavailable|could\s*not\s*be\s*collected/;

const COUNTERS: readonly [PerformanceCounter, RegExp][] = [
  ['cpu', /\bcpu|cores?\s*utili[sz]ed|processor/],
  ['memory', /memory|\bram\b/],
  [
    'disk',
    /\bdisks?\b(?!\s*(gigabytes|size))|iops|(read|write)\s*op(eration)?s|operations\s*per\s*second|megabytes\s*per\s*second\s*of\s*(read|write)|throughput/,
  ],
  ['network', /network|\bnics?\b|data\s*(transmitted|received|recieved)|megabytes\s*of\s*data/],
];

/** "PercentageOfCoresUtilizedMissing" → "percentage of cores utilized missing". */
const words = (phrase: string) =>
  phrase
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_/]+/g, ' ')
    .toLowerCase();

export function missingCounters(cell: string): PerformanceCounter[] {
  const found = new Set<PerformanceCounter>();
  for (const raw of cell.split(/[;|\n]+/)) {
    const phrase = words(raw);
    if (!ABSENT.test(phrase) || /out\s*of\s*range/.test(phrase)) continue;
    // "Disk gigabytes consumed missing" is about size, not the disk's performance counters.
    const performance = phrase.replace(/disk\s*gigabytes\s*(consumed|provisioned)/g, '');
    for (const [counter, pattern] of COUNTERS) if (pattern.test(performance)) found.add(counter);
  }
  return performanceCounters.filter((counter) => found.has(counter));
}
