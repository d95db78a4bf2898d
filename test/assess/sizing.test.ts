import { describe, expect, it } from 'vitest';
import { vmSkus } from '../../domain/data/azure-vm-skus.ts';
import { recogniseOs } from '../../domain/assess/operating-system.ts';
import { percentile } from '../../domain/assess/percentile.ts';
import { confidenceStars, defaultSizing, sizeVm } from '../../domain/assess/sizing.ts';
import { disk, samples, server } from './fixtures.ts';

const windows = recogniseOs('Microsoft Windows Server 2019 Datacenter');
const linux = recogniseOs('Ubuntu 22.04.3 LTS');

describe('sizing', () => {
  it('uses the nearest-rank percentile', () => {
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 95)).toBe(100);
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 50)).toBe(50);
    expect(percentile([], 95)).toBeUndefined();
  });

  it('reproduces the Azure Migrate worked example: 4 cores/8 GB at 50 % × 1.3 → the cheapest size with ≥3 cores, ≥5.2 GB', () => {
    const vm = server({
      name: 'ex',
      cpus: 4,
      memoryMiB: 8192,
      cpuUtilisation: samples(50),
      memoryUtilisation: samples(50),
    });
    const sizing = sizeVm(vm, linux, defaultSizing);
    expect(sizing.needed).toMatchObject({ cores: 3, memoryGiB: 5.2 });
    expect(sizing.vmSize).toBe('Standard_F4s_v2');
    expect(sizing.confidence).toBe(3);
  });

  it('sizes as on-premises from allocated cores and memory, with no confidence rating', () => {
    const vm = server({ name: 'onprem', cpus: 4, memoryMiB: 16_384, cpuUtilisation: samples(10) });
    const sizing = sizeVm(vm, windows, { ...defaultSizing, mode: 'as-on-premises' });
    expect(sizing.vmSize).toBe('Standard_D4s_v5');
    expect(sizing.monthlyCompute).toBe(Math.round((0.192 + 4 * 0.046) * 730 * 100) / 100);
    expect(sizing.confidence).toBeUndefined();
  });

  it('falls back to allocated values and lowers confidence without utilisation data', () => {
    const sizing = sizeVm(server({ name: 'nodata', cpus: 2, memoryMiB: 8192 }), linux, defaultSizing);
    expect(sizing.vmSize).toBe('Standard_D2s_v5');
    expect(sizing.confidence).toBe(1);
    expect(sizing.notes).toContain('no CPU utilisation: allocated cores used');
  });

  it('needs enough data disks and IOPS, and picks disk tiers from IOPS/throughput', () => {
    const disks = [
      disk({ id: 'os', sizeGiB: 100, readIops: 50, writeIops: 10 }),
      ...Array.from({ length: 5 }, (_, i) =>
        disk({ id: `d${i}`, sizeGiB: 500, readIops: 1500, writeIops: 200, readMBps: 20, writeMBps: 5 }),
      ),
    ];
    const sizing = sizeVm(server({ name: 'io', cpus: 2, memoryMiB: 4096, disks }), linux, {
      ...defaultSizing,
      mode: 'as-on-premises',
    });
    const chosen = vmSkus.find((s) => s.name === sizing.vmSize);
    expect(chosen?.maxDataDisks).toBeGreaterThanOrEqual(5);
    expect(chosen?.maxIops).toBeGreaterThanOrEqual(8560);
    expect(sizing.disks[0]).toMatchObject({ type: 'Standard SSD', tier: 'E10' });
    expect(sizing.disks[1]).toMatchObject({ type: 'Premium SSD', tier: 'P20' });
  });

  it('reports when no size fits', () => {
    const sizing = sizeVm(
      server({ name: 'huge', cpus: 900, memoryMiB: 64 * 1024 * 1024 }),
      linux,
      defaultSizing,
    );
    expect(sizing.vmSize).toBeUndefined();
    expect(sizing.monthlyCompute).toBe(0);
    expect(sizing.notes.at(-1)).toContain('no size in the catalog fits');
  });

  it('maps data completeness to Azure Migrate star bands', () => {
    expect([0, 0.2, 0.21, 0.5, 0.75, 1].map(confidenceStars)).toEqual([1, 1, 2, 3, 4, 5]);
  });
});
