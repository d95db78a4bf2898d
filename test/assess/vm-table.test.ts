import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAssess } from '../../cli/assess/assess-command.ts';
import { renderReport } from '../../cli/assess/report-html.ts';
import { summaryLines } from '../../cli/assess/summary.ts';
import { vmTableColumns, vmTableRow } from '../../cli/assess/vm-table.ts';
import { assessEstate, defaultAssessOptions, type VmAssessment } from '../../domain/assess/assess-estate.ts';
import type { VmSizing } from '../../domain/assess/sizing.ts';
import type { Application, Estate } from '../../domain/inventory/estate-schema.ts';
import { saveEstate } from '../../workspace/files.ts';
import { disk, samples, server } from './fixtures.ts';
import { tempDir } from './helpers.ts';

const asOf = '2026-01-15';
const amFrom = { file: 'assessment.xlsx', sheet: 'All_Assessed_Machines', row: 2 };

/** Five machines covering each column: Azure Migrate's view, Not ready, physical, template, powered off. */
function estate(): Estate {
  return {
    formatVersion: 1,
    sources: [],
    servers: [
      server({
        name: 'web01',
        cpuUtilisation: samples(20),
        memoryUtilisation: samples(40),
        disks: [disk({ id: 'os', sizeGiB: 128, readIops: 100, writeIops: 50, readMBps: 5, writeMBps: 2 })],
        azureMigrate: {
          readiness: 'Ready',
          readinessIssues: [],
          recommendedSize: 'Standard_D4s_v5',
          monthlyComputeCost: 140.16,
          monthlyStorageCost: 9.6,
          confidenceStars: 1,
          from: amFrom,
        },
      }),
      server({ name: 'legacy32', os: 'Microsoft Windows Server 2008 (32-bit)' }),
      server({ name: 'phys01', platform: 'physical', os: 'Red Hat Enterprise Linux 8' }),
      server({ name: 'tpl-base', template: true, poweredOn: false }),
      server({ name: '=HYPERLINK("x")', poweredOn: false, createdOn: '2018-06-01' }),
    ],
    hosts: [],
    applications: [],
    databases: [],
    connections: [],
    warnings: [],
  };
}

const unescape = (html: string) =>
  html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The per-VM table of report.html as header + rows of cell texts, with each row's classes. */
function htmlVmTable(html: string) {
  const table = /<table class="vms">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  const header = [...table.matchAll(/<th>(.*?)<\/th>/g)].map((m) => unescape(m[1] ?? ''));
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  const rows = [...body.matchAll(/<tr class="([^"]*)">(.*?)<\/tr>/g)].map((m) => ({
    classes: (m[1] ?? '').split(' '),
    cells: [...(m[2] ?? '').matchAll(/<td(?: class="n")?>(.*?)<\/td>/g)].map((c) => unescape(c[1] ?? '')),
  }));
  return { header, rows };
}

async function assessed(e: Estate = estate(), json = false) {
  const workspace = tempDir();
  await saveEstate(workspace, e);
  const lines: string[] = [];
  const assessment = await runAssess({ workspace, asOf, json, print: (l) => lines.push(l) });
  return { workspace, assessment, lines };
}

describe('per-VM table in report.html, vms.csv and vms.xlsx', () => {
  it('lists every VM in the report with readiness reasons, both sizes and costs, confidence and exclusions', async () => {
    const { workspace } = await assessed();
    const html = readFileSync(join(workspace, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|src="http|on[a-z]+="/);
    const { header, rows } = htmlVmTable(html);
    expect(header).toEqual(vmTableColumns.filter((c) => c.html).map((c) => c.header));
    expect(rows.map((r) => r.cells[0])).toEqual([
      '=HYPERLINK("x")',
      'legacy32',
      'phys01',
      'tpl-base',
      'web01',
    ]);
    const cell = (server: string, column: string) =>
      rows.find((r) => r.cells[0] === server)?.cells[header.indexOf(column)];

    expect(cell('web01', 'Readiness')).toBe('Ready');
    expect(cell('web01', 'Azure Migrate readiness')).toBe('Ready');
    expect(cell('web01', 'Azure Migrate size')).toBe('Standard_D4s_v5');
    expect(cell('web01', 'Our size')).toMatch(/^Standard_/);
    expect(cell('web01', 'Azure Migrate monthly cost (USD)')).toBe('$150');
    expect(cell('web01', 'Our monthly cost (USD)')).toMatch(/^\$\d/);
    expect(cell('web01', 'Confidence (stars)')).toBe('5');
    expect(cell('web01', 'Azure Migrate confidence (stars)')).toBe('1');
    expect(cell('web01', 'Sizing basis')).toBe('performance');
    expect(cell('web01', 'Exclusion suggestion')).toBe('');

    expect(cell('legacy32', 'Readiness')).toBe('Not ready');
    expect(cell('legacy32', 'Readiness reasons')).toContain(
      '32-bit guest OS (Microsoft Windows Server 2008 (32-bit))',
    );
    expect(cell('legacy32', 'Our size')).toBe('');
    expect(cell('legacy32', 'Our monthly cost (USD)')).toBe('');
    expect(rows.find((r) => r.cells[0] === 'legacy32')?.classes).toEqual(['r-not-ready']);

    expect(cell('phys01', 'Platform')).toBe('physical');
    expect(cell('phys01', 'Exclusion suggestion')).toBe('review');
    expect(cell('phys01', 'Exclusion reasons')).toBe('not-vmware');
    expect(cell('tpl-base', 'Exclusion suggestion')).toBe('exclude');
    expect(cell('tpl-base', 'Exclusion reasons')).toBe('template');
    expect(cell('=HYPERLINK("x")', 'Exclusion suggestion')).toBe('decommission');
    expect(rows.find((r) => r.cells[0] === 'tpl-base')?.classes).toContain('x');

    // The filters are radio buttons with counts, and CSS (not script) hides the other rows.
    expect(html).toContain(
      '<input type="radio" name="vmf" id="vmf-exclusion"> exclusion candidates (3)</label>',
    );
    expect(html).toContain('body:has(#vmf-exclusion:checked) table.vms tbody tr:not(.x){display:none}');
    expect(html).toContain('<h2>Exclusion and decommission candidates (3)</h2>');
  });

  it('writes the same table as vms.csv and vms.xlsx, read back', async () => {
    const { workspace } = await assessed();
    const csv = parse<Record<string, string>>(readFileSync(join(workspace, 'vms.csv'), 'utf8'), {
      columns: true,
    });
    expect(csv.map((r) => r.Server)).toEqual([
      '\'=HYPERLINK("x")',
      'legacy32',
      'phys01',
      'tpl-base',
      'web01',
    ]);
    const web = csv.find((r) => r.Server === 'web01');
    expect(web?.['Azure Migrate monthly cost (USD)']).toBe('149.76');
    expect(web?.['Azure Migrate size']).toBe('Standard_D4s_v5');
    expect(web?.['Server id']).toBe('web01');
    const phys = csv.find((r) => r.Server === 'phys01');
    expect(phys?.['Exclusion notes']).toMatch(/^physical server: the factory migrates VMware VMs only/);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(workspace, 'vms.xlsx'));
    const sheet = workbook.getWorksheet('VMs');
    expect(sheet?.rowCount).toBe(6);
    const headerRow = sheet?.getRow(1).values as unknown[];
    expect(headerRow.slice(1)).toEqual(vmTableColumns.map((c) => c.header));
    const column = (header: string) => vmTableColumns.findIndex((c) => c.header === header) + 1;
    const rowOf = (name: string) => {
      for (let i = 2; i <= (sheet?.rowCount ?? 0); i += 1)
        if (sheet?.getRow(i).getCell(1).value === name) return sheet.getRow(i);
      return undefined;
    };
    // xlsx cells are typed: the formula-looking name is a plain string, costs are numbers.
    expect(rowOf('=HYPERLINK("x")')?.getCell(column('Exclusion reasons')).value).toBe('powered-off');
    expect(rowOf('web01')?.getCell(column('Azure Migrate monthly cost (USD)')).value).toBe(149.76);
    expect(rowOf('web01')?.getCell(column('Confidence (stars)')).value).toBe(5);
    expect(rowOf('legacy32')?.getCell(column('Readiness')).value).toBe('Not ready');
    expect(rowOf('legacy32')?.getCell(column('Our size')).value).toBeNull();
    // Every CSV row matches its xlsx row cell for cell (less the CSV's formula-defusing apostrophe).
    const undefused = (text: string | undefined) => (text ?? '').replace(/^'(?=[=+\-@])/, '');
    for (const r of csv) {
      const row = rowOf(undefused(r.Server));
      for (const c of vmTableColumns) {
        const v = row?.getCell(column(c.header)).text ?? '';
        expect(v, `${r.Server} ${c.header}`).toBe(undefused(r[c.header]));
      }
    }
  });

  it('shows data gaps and the sizing basis the sizing reports', () => {
    const assessment = assessEstate(estate(), defaultAssessOptions(asOf));
    const web = assessment.vms.find((v) => v.name === 'web01') as VmAssessment;
    const sizing: VmSizing & { basis: string; missingData: string[] } = {
      ...(web.sizing as VmSizing),
      basis: 'as-on-premises',
      missingData: ['cpu', 'memory'],
    };
    const row = vmTableRow({ ...web, sizing }, 'performance');
    expect(row.sizingBasis).toBe('as-on-premises');
    expect(row.dataGaps).toBe('cpu, memory');
    const html = renderReport({ ...assessment, vms: [{ ...web, sizing }] });
    expect(htmlVmTable(html).rows[0]?.classes).toEqual(['r-ready', 'g']);
    expect(html).toContain('id="vmf-gaps"> data gaps (1)</label>');
  });

  it('--json lists every exclusion candidate and the table files', async () => {
    const { workspace, lines } = await assessed(estate(), true);
    const summary = JSON.parse(lines.join('\n')) as {
      totals: { exclusionCandidates: { servers: number } };
      exclusionCandidates: { name: string; suggestion: string; reasons: string[] }[];
      vmsCsvPath: string;
      vmsXlsxPath: string;
    };
    expect(summary.exclusionCandidates).toHaveLength(summary.totals.exclusionCandidates.servers);
    expect(summary.exclusionCandidates.map((c) => c.name).sort()).toEqual([
      '=HYPERLINK("x")',
      'phys01',
      'tpl-base',
    ]);
    expect(summary.vmsCsvPath).toBe(join(workspace, 'vms.csv'));
    expect(summary.vmsXlsxPath).toBe(join(workspace, 'vms.xlsx'));
  });

  it('says how many business groups the text summary leaves out, and lists them all in --json', () => {
    const e = estate();
    const groups = Array.from({ length: 13 }, (_, i) => `Group ${String(i + 1).padStart(2, '0')}`);
    const template = e.servers[0];
    e.servers = groups.map((g, i) => server({ ...template, name: `vm${i}`, id: `vm${i}` }));
    e.applications = groups.map((g, i): Application => ({
      name: `app${i}`,
      servers: [`vm${i}`],
      unresolvedServers: [],
      databases: [],
      classification: {
        businessGroup: g,
        pocCandidate: false,
        technicalDebt: 'None',
        firewallImplications: false,
        securityIssues: false,
        migrationStrategy: 'Rehost',
        technicalComplexity: 2,
        businessCriticality: 2,
        migrationPriority: 2,
        migrationRisk: 2,
      },
      from: { file: 'catalog.csv', row: i + 2 },
    }));
    const assessment = assessEstate(e, defaultAssessOptions(asOf));
    expect(assessment.businessGroups).toHaveLength(13);
    expect(summaryLines(assessment)).toContain(
      '  … and 3 more business groups (report.html and --json list all)',
    );
    expect(renderReport(assessment)).toContain('<p>… and 1 more business groups');
  });
});
