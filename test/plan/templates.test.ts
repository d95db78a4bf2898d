import { describe, expect, it } from 'vitest';
import { estateOf, planOf } from './plan-fixtures.ts';

describe('VM templates', () => {
  it('are never planned, even when the catalog lists them, and say why', () => {
    const estate = estateOf([{ name: 'orders', vms: 2 }]);
    const template = estate.servers.find((s) => s.name === 'orders-002');
    if (template === undefined) throw new Error('fixture lacks orders-002');
    template.template = true;
    const plan = planOf(estate);
    expect(plan.servers.map((s) => s.name)).toEqual(['orders-001']);
    expect(plan.excluded).toContainEqual({
      kind: 'server',
      id: template.id,
      reason: 'orders-002 is a VM template; templates are not migrated',
    });
  });
});
