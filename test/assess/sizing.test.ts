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
    expect([0.4, 0.41, 0.6, 0.61, 0.8, 0.81].map(confidenceStars)).toEqual([2, 3, 3, 4, 4, 5]);
  });
});

describe('missing data is missing, not zero', () => {
  // What Azure Migrate exports for a machine it collected nothing for: 0 % everywhere and
  // "No data for …" issues, which the importer turns into missingPerformance.
  const noData = (overrides: Partial<Parameters<typeof server>[0]> = {}) =>
    server({
      name: 'nodata-8x32',
      cpus: 8,
      memoryMiB: 32 * 1024,
      cpuUtilisation: samples(0),
      memoryUtilisation: samples(0),
      disks: [
        disk({ id: 'os', sizeGiB: 128, readIops: 0, writeIops: 0, readMBps: 0, writeMBps: 0 }),
        disk({ id: 'data', sizeGiB: 900, readIops: 0, writeIops: 0, readMBps: 0, writeMBps: 0 }),
      ],
      missingPerformance: ['cpu', 'memory', 'disk'],
      ...overrides,
    });

  it('sizes an 8-core/32 GB machine without data on its allocated resources, not as Standard_F2s_v2', () => {
    const sizing = sizeVm(noData(), linux, defaultSizing);
    expect(sizing.vmSize).toBe('Standard_D8s_v5');
    expect(sizing.needed).toEqual({ cores: 8, memoryGiB: 32, dataDisks: 1, iops: 0, mbps: 0 });
    expect(sizing.monthlyCompute).toBe(Math.round(0.384 * 730 * 100) / 100);
    expect(sizing.basis).toBe('as-on-premises');
    expect(sizing.missingData).toEqual(['cpu', 'memory', 'disk']);
    expect(sizing.confidence).toBe(1);
    expect(sizing.notes).toEqual(
      expect.arrayContaining([
        'no CPU utilisation: allocated cores used',
        'no memory utilisation: allocated memory used',
        'no disk performance data: disks sized by capacity only',
      ]),
    );
  });

  it('sizes a machine with no data exactly as as-on-premises sizing does', () => {
    const vm = noData();
    const performance = sizeVm(vm, windows, defaultSizing);
    const onPremises = sizeVm(vm, windows, { ...defaultSizing, mode: 'as-on-premises' });
    const sized = ({ needed, vmSize, monthlyCompute, monthlyStorage, disks, basis }: typeof performance) => ({
      needed,
      vmSize,
      monthlyCompute,
      monthlyStorage,
      disks,
      basis,
    });
    expect(sized(performance)).toEqual(sized(onPremises));
    expect(onPremises.confidence).toBeUndefined();
    // Capacity only: 128 GiB OS disk on the cheapest SSD that holds it, 900 GiB data disk on HDD.
    expect(performance.disks).toEqual([
      { diskId: 'os', type: 'Standard SSD', tier: 'E10', monthlyCost: 9.6 },
      { diskId: 'data', type: 'Standard HDD', tier: 'S30', monthlyCost: 40.96 },
    ]);
  });

  it('treats a counter without samples as missing even when no source flagged it', () => {
    const sizing = sizeVm(
      server({ name: 'silent', cpus: 8, memoryMiB: 32 * 1024, disks: [disk({ id: 'os', sizeGiB: 64 })] }),
      linux,
      defaultSizing,
    );
    expect(sizing.missingData).toEqual(['cpu', 'memory', 'disk']);
    expect(sizing.vmSize).toBe('Standard_D8s_v5');
  });

  it('falls back per dimension: measured CPU, allocated memory, basis mixed and lower confidence', () => {
    const sizing = sizeVm(
      noData({ cpuUtilisation: samples(25), missingPerformance: ['memory', 'disk'] }),
      linux,
      defaultSizing,
    );
    // ceil(8 × 25 % × 1.3) = 3 cores; memory stays at the allocated 32 GiB.
    expect(sizing.needed).toMatchObject({ cores: 3, memoryGiB: 32 });
    expect(sizing.vmSize).toBe('Standard_E4s_v5');
    expect(sizing.basis).toBe('mixed');
    expect(sizing.missingData).toEqual(['memory', 'disk']);
    // Data points: CPU yes, memory no, IOPS and throughput of two disks no → 1 of 6 = 17 % → 1 star.
    expect(sizing.confidence).toBe(1);
  });

  it('counts IOPS and throughput of every disk as data points (Azure Migrate confidence rule)', () => {
    const disks = [
      disk({ id: 'os', sizeGiB: 64, readIops: 20, writeIops: 10, readMBps: 1, writeMBps: 1 }),
      disk({ id: 'd1', sizeGiB: 64, readIops: 20, writeIops: 10, readMBps: 1, writeMBps: 1 }),
      disk({ id: 'd2', sizeGiB: 64 }),
    ];
    const measured = { cpuUtilisation: samples(40), memoryUtilisation: samples(40) };
    // 2 + 4 of 2 + 6 points = 75 % → 4 stars.
    expect(sizeVm(server({ name: 'p', disks, ...measured }), linux, defaultSizing).confidence).toBe(4);
    // Server-level totals cover every disk: 8 of 8 → 5 stars.
    const totals = { readIops: 60, writeIops: 30, readMBps: 3, writeMBps: 3 };
    const all = sizeVm(server({ name: 'q', disks, io: totals, ...measured }), linux, defaultSizing);
    expect(all.confidence).toBe(5);
    expect(all.basis).toBe('performance');
    expect(all.missingData).toEqual([]);
    // The same machine with its network counter flagged: reported, but sizing does not use it.
    const flagged = sizeVm(
      server({ name: 'r', disks, io: totals, ...measured, missingPerformance: ['network'] }),
      linux,
      defaultSizing,
    );
    expect(flagged.missingData).toEqual(['network']);
    expect(flagged.basis).toBe('performance');
    expect(flagged.confidence).toBe(5);
  });

  it('never takes flagged disk figures as a measured load', () => {
    const busy = disk({ id: 'os', sizeGiB: 100, readIops: 3000, writeIops: 1000 });
    const measured = sizeVm(server({ name: 'm', disks: [busy] }), linux, defaultSizing);
    const flagged = sizeVm(
      server({ name: 'f', disks: [busy], missingPerformance: ['disk'] }),
      linux,
      defaultSizing,
    );
    // 4,000 IOPS × 1.3 = 5,200: more than P30's 5,000.
    expect(measured.disks[0]?.tier).toBe('P40');
    expect(flagged.disks[0]).toMatchObject({ type: 'Standard SSD', tier: 'E10' });
    expect(flagged.needed.iops).toBe(0);
  });
});
