import { describe, expect, it } from 'vitest';
import { assessEstate, defaultAssessOptions } from '../../domain/assess/assess-estate.ts';
import { assessmentInputSchema } from '../../domain/plan/assessment-input.ts';
import { explain } from '../../domain/plan/explain.ts';
import { defaultPlanOptions } from '../../domain/plan/plan-options.ts';
import { noPins } from '../../domain/plan/plan-schema.ts';
import { planEstate } from '../../domain/plan/plan-estate.ts';
import { estateOf } from './plan-fixtures.ts';

describe('plan --explain shows why the assessment grouped an application', () => {
  it('carries the grouping evidence through assessment.json into the plan reasons', () => {
    const estate = estateOf([{ name: 'orders', vms: 3 }], []);
    const assessment = assessEstate(estate, defaultAssessOptions('2025-11-28'));
    // As `factory plan` reads it: JSON on disk, parsed by the plan's schema.
    const input = assessmentInputSchema.parse(JSON.parse(JSON.stringify(assessment)));
    const plan = planEstate(estate, input, defaultPlanOptions('2026-01-05'), noPins());
    const lines = explain(plan, 'orders') ?? [];
    expect(lines).toContain('  - grouped: listed in the service catalog (catalog.csv row 2)');
    expect(lines).toContain('  - grouped: orders-001 → orders-002 on port 8080 (5 observations)');
    expect(lines).toContain('  - grouped: orders-002 → orders-003 on port 1433 (5 observations)');
  });
});
