/**
 * The service catalog CSV (this project's format, see docs/formats/service-catalog.csv): one row per
 * application with owner, business group, environment, SLA, the servers and databases it uses and
 * the ten classification fields of the Cloud Adoption Framework's Contoso scenario.
 */
import { boolean, decimal, list, oneOf, text, wholeNumber } from './cells.ts';
import { column, readRecords, required } from './columns.ts';
import { debtLevels, environments, strategies } from './estate-schema.ts';
import type { IssueLog } from './issues.ts';
import { provenance, type Collected } from './observations.ts';
import { locationOf, type Table } from './table.ts';

const columns = {
  application: required('Application', text(255)),
  owner: column('Owner', text(255)),
  businessGroup: required('Business group', text(255)),
  environment: column('Environment', oneOf(environments, { prod: 'Production', dev: 'Development' })),
  sla: column('SLA', decimal(0, 100)),
  servers: column('Servers', list()),
  databases: column('Databases', list()),
  poc: required('POC candidate', boolean),
  debt: required('Technical debt', oneOf(debtLevels)),
  firewall: required('Firewall implications', boolean),
  security: required('Security issues', boolean),
  strategy: required('Migration strategy', oneOf(strategies)),
  complexity: required('Technical complexity', wholeNumber(1, 5)),
  criticality: required('Business criticality', wholeNumber(1, 5)),
  priority: required('Migration priority', wholeNumber(1, 3)),
  risk: required('Migration risk', wholeNumber(1, 5)),
};

export function readServiceCatalog(table: Table, log: IssueLog, into: Collected): number {
  const records = readRecords(table, columns, log);
  const seen = new Map<string, number>();
  for (const { line, values: v } of records) {
    const key = v.application.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      log.error(
        locationOf(table, line, 'Application'),
        `application names must be unique (first listed at row ${first})`,
        v.application,
      );
      continue;
    }
    seen.set(key, line);
    into.applications.push({
      name: v.application,
      ...(v.owner === undefined ? {} : { owner: v.owner }),
      ...(v.environment === undefined ? {} : { environment: v.environment }),
      ...(v.sla === undefined ? {} : { slaPct: v.sla }),
      servers: v.servers ?? [],
      databases: v.databases ?? [],
      classification: {
        businessGroup: v.businessGroup,
        pocCandidate: v.poc,
        technicalDebt: v.debt,
        firewallImplications: v.firewall,
        securityIssues: v.security,
        migrationStrategy: v.strategy,
        technicalComplexity: v.complexity,
        businessCriticality: v.criticality,
        migrationPriority: v.priority,
        migrationRisk: v.risk,
      },
      from: provenance(table.file, table.sheet, line),
    });
  }
  return records.length;
}
