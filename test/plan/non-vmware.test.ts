import { describe, expect, it } from 'vitest';
import { renderPlanReport } from '../../cli/plan/plan-report-html.ts';
import { planSummaryLines } from '../../cli/plan/plan-summary.ts';
import { runValidate } from '../../cli/plan/validate-command.ts';
import { assessEstate, defaultAssessOptions } from '../../domain/assess/assess-estate.ts';
import { notVmwareReason } from '../../domain/assess/exclusions.ts';
import type { Estate, Server } from '../../domain/inventory/estate-schema.ts';
import { explain } from '../../domain/plan/explain.ts';
import { defaultPlanOptions } from '../../domain/plan/plan-options.ts';
import { noPins, planSchema, type Plan } from '../../domain/plan/plan-schema.ts';
import { planEstate } from '../../domain/plan/plan-estate.ts';
import { validatePlan } from '../../domain/plan/validate-plan.ts';
import { planSha256 } from '../../workspace/plan-files.ts';
import { saveEstate } from '../../workspace/files.ts';
import { runAssess } from '../../cli/assess/assess-command.ts';
import { runPlan } from '../../cli/plan/plan-command.ts';
import { tempDir } from '../assess/helpers.ts';
import { estateOf, planOf } from './plan-fixtures.ts';

/** base-002 physical, base-003 powered off (created 2015), base-004 a template, front-002 Hyper-V. */
function mixedEstate(): Estate {
  const estate = estateOf([
    { name: 'base', vms: 4, priority: 1 },
    { name: 'front', vms: 2, priority: 3 },
  ]);
  const edit = (name: string, change: Partial<Server>) => {
    const s = estate.servers.find((x) => x.name === name);
    if (s === undefined) throw new Error(`fixture has no ${name}`);
    Object.assign(s, change);
  };
  edit('base-002', { platform: 'physical' });
  edit('base-003', { poweredOn: false, createdOn: '2015-01-01' });
  edit('base-004', { template: true, poweredOn: false });
  edit('front-002', { platform: 'hyper-v' });
  return estate;
}

const placed = (plan: Plan) =>
  plan.waves.flatMap((w) => w.batches.flatMap((b) => b.bootGroups.flatMap((g) => g.servers))).sort();
const excludedOf = (plan: Plan, id: string) => plan.excluded.find((e) => e.id === id);
const firstGroup = (plan: Plan) => {
  const g = plan.waves[0]?.batches[0]?.bootGroups[0];
  if (g === undefined) throw new Error('plan has no boot group');
  return g;
};

describe('servers that are not VMware VMs, and exclusion candidates, in the plan', () => {
  it('refuses non-VMware servers for waves with how to migrate them, and leaves candidates out', () => {
    const plan = planOf(mixedEstate());
    expect(placed(plan)).toEqual(['base-001', 'front-001']);
    expect(excludedOf(plan, 'base-002')).toEqual({
      kind: 'server',
      id: 'base-002',
      name: 'base-002',
      reason: notVmwareReason('physical'),
      category: 'not-vmware',
      platform: 'physical',
    });
    expect(excludedOf(plan, 'front-002')?.reason).toBe(
      "Hyper-V VM: the factory migrates VMware VMs only; migrate it with Azure Migrate's Hyper-V migration (Migration and modernization tool, agentless via the Hyper-V hosts) outside the factory's waves",
    );
    expect(excludedOf(plan, 'base-003')).toMatchObject({
      category: 'exclusion-candidate',
      reason:
        'exclusion candidate (decommission): powered off: plan it only with options.exclusions.includePoweredOff, and power it on before its wave replicates',
    });
    expect(excludedOf(plan, 'base-004')?.reason).toBe(
      'exclusion candidate (exclude): VMware template: plan it only with options.exclusions.includeTemplates, after converting it to a VM',
    );
    expect(plan.warnings).toContain(
      '2 servers are not VMware VMs (hyper-v 1, physical 1) and are refused for waves: the factory migrates VMware VMs; each is listed in excluded with how to migrate it',
    );
    expect(plan.warnings).toContain(
      'exclusion candidates left out of waves (powered-off 1, template 1); opt powered-off VMs or templates in with options.exclusions',
    );
    expect(plan.servers.map((s) => s.id).sort()).toEqual(['base-001', 'front-001']);
    expect(validatePlan(plan)).toEqual([]);
    expect(planSummaryLines(plan)).toContain(
      'Excluded: 4 (not VMware VMs 2, exclusion candidates 2); warnings: ' + String(plan.warnings.length),
    );
    expect(explain(plan, 'base-002')).toEqual([
      `server base-002 (base-002) is not planned: ${notVmwareReason('physical')}`,
    ]);
  });

  it('plans powered-off VMs and templates only when the options opt them in', () => {
    const poweredOff = planOf(mixedEstate(), (o) => {
      o.exclusions.includePoweredOff = true;
    });
    expect(placed(poweredOff)).toEqual(['base-001', 'base-003', 'front-001']);
    expect(poweredOff.servers.find((s) => s.id === 'base-003')?.reasons).toContain(
      'powered off, planned because options.exclusions.includePoweredOff is set: power it on before its wave replicates (the Mobility agent replicates running machines)',
    );
    expect(excludedOf(poweredOff, 'base-004')?.category).toBe('exclusion-candidate');
    const both = planOf(mixedEstate(), (o) => {
      o.exclusions = { includePoweredOff: true, includeTemplates: true };
    });
    // Opting in never brings a physical or Hyper-V server into a wave.
    expect(placed(both)).toEqual(['base-001', 'base-003', 'base-004', 'front-001']);
    expect(validatePlan(both)).toEqual([]);
  });

  it('never plans a migration appliance the assessment names, whatever the options', () => {
    const estate = mixedEstate();
    const assessment = assessEstate(estate, defaultAssessOptions('2025-11-28'));
    const appliance = assessment.vms.find((v) => v.serverId === 'front-001');
    if (appliance === undefined) throw new Error('fixture has no front-001');
    appliance.exclusion = { reasons: ['migration-appliance'], suggestion: 'exclude', notes: [] };
    const options = defaultPlanOptions('2026-01-05');
    options.exclusions = { includePoweredOff: true, includeTemplates: true };
    const plan = planEstate(estate, assessment, options, noPins());
    expect(placed(plan)).not.toContain('front-001');
    expect(excludedOf(plan, 'front-001')?.reason).toBe(
      'exclusion candidate (exclude): Azure Migrate appliance: it serves the migration and is not migrated',
    );
    expect(excludedOf(plan, 'front')).toMatchObject({
      kind: 'application',
      reason: 'no server of it can be migrated',
    });
  });

  it('plan validate refuses a hand-placed non-VMware server or candidate with the reason', () => {
    const plan = planOf(mixedEstate());
    firstGroup(plan).servers.push('base-002', 'base-003');
    const errors = validatePlan(plan);
    expect(errors).toContainEqual({
      rule: 'not-vmware',
      wave: 'wave-01',
      batch: plan.waves[0]?.batches[0]?.id,
      server: 'base-002',
      message: `${plan.waves[0]?.batches[0]?.id} places base-002, which is not a VMware VM: ${notVmwareReason('physical')}`,
    });
    const candidate = errors.find((e) => e.server === 'base-003');
    expect(candidate?.rule).toBe('excluded-server-placed');
    expect(candidate?.message).toMatch(
      /^server base-003 is excluded but placed in .*: exclusion candidate \(decommission\)/,
    );
    expect(errors.some((e) => e.rule === 'unknown-server')).toBe(false);
  });

  it('plan validate and the report list every refused server; the text caps with "… and N more"', async () => {
    const estate = estateOf([{ name: 'base', vms: 24 }]);
    for (const s of estate.servers.slice(1)) s.platform = 'physical';
    // Through the commands, so the workspace chain (estate → assessment → plan) is the real one.
    const workspace = tempDir('plan-non-vmware-');
    await saveEstate(workspace, estate);
    const quiet = () => undefined;
    await runAssess({ workspace, asOf: '2025-11-28', print: quiet });
    const plan = await runPlan({ workspace, start: '2026-01-05', print: quiet });

    const lines: string[] = [];
    const outcome = await runValidate({ workspace, print: (l) => lines.push(l) });
    expect(outcome.ok).toBe(true);
    expect(lines[0]).toBe('note: 23 servers are not VMware VMs and are refused for waves:');
    expect(lines[1]).toBe(`  base-002: ${notVmwareReason('physical')}`);
    expect(lines).toContain('  … and 3 more (--json and plan-report.html list all)');
    expect(lines.at(-1)).toBe('plan is valid');

    const json: string[] = [];
    await runValidate({ workspace, json: true, print: (l) => json.push(l) });
    const parsed = JSON.parse(json.join('\n')) as { ok: boolean; notVmware: { id: string }[] };
    expect(parsed.notVmware).toHaveLength(23);

    const html = renderPlanReport(plan, planSha256(plan));
    expect(html).toContain('<h2>Refused for waves: not VMware VMs (23)</h2>');
    expect(html.match(/<td>physical<\/td>/g)).toHaveLength(23);
  });

  it('reads a plan written before options.exclusions as opting nothing in', () => {
    const plan = planOf(mixedEstate());
    const old = JSON.parse(JSON.stringify(plan)) as { options: Record<string, unknown> };
    delete old.options.exclusions;
    expect(planSchema.parse(old).options.exclusions).toEqual({
      includePoweredOff: false,
      includeTemplates: false,
    });
  });
});
