import { describe, expect, it } from 'vitest';
import { demoBatchSpecs, demoScope, demoSite, demoWave } from '../../domain/demo.ts';
import { discoveredMachineId } from '../../domain/estate.ts';

describe('demo estate', () => {
  it('is reproducible from its seed and differs across seeds', () => {
    expect(demoSite(7)).toEqual(demoSite(7));
    expect(demoSite(7).vms.map((vm) => vm.uuid)).not.toEqual(demoSite(8).vms.map((vm) => vm.uuid));
  });

  it('has 20 VMs in two batches that keep each application whole', () => {
    const site = demoSite();
    const wave = demoWave(site, 'wave-x');
    expect(site.vms).toHaveLength(20);
    expect(wave.batches.map((b) => b.vmNames.length)).toEqual([10, 10]);
    for (const app of new Set(site.vms.map((vm) => vm.application))) {
      const batchesWithApp = wave.batches.filter((b) => b.vmNames.some((n) => n.startsWith(`${app}-`)));
      expect(batchesWithApp).toHaveLength(1);
    }
    expect(wave.batches[0]?.batchId).toBe('wave-x-batch-01');
  });

  it('gives every VM its Azure Migrate machine id and one of the site appliances', () => {
    const site = demoSite();
    const specs = demoBatchSpecs(demoScope, site, demoWave(site));
    const vms = specs.flatMap((s) => s.vms);
    expect(new Set(vms.map((vm) => vm.machineId)).size).toBe(20);
    expect(vms.every((vm) => site.appliances.some((a) => a.name === vm.appliance))).toBe(true);
    expect(discoveredMachineId('s', 'rg', site, { uuid: 'u-1' })).toBe(
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OffAzure/VMwareSites/contoso-vmware-site/machines/vcenter01-contoso-local_u-1',
    );
  });
});
