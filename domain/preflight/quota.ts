/**
 * Regional vCPU quota against a wave's planned sizes: each size's quota family and vCPUs come from the
 * region's resource SKUs (`Microsoft.Compute/skus`), the limits and current use from its usages
 * (`Microsoft.Compute/locations/{location}/usages`). A wave fits when every family it uses, and the
 * regional total (`cores`), has room for all its VMs at once (a test failover runs them all).
 */
import type { PreflightVm } from './checks.ts';

export interface SkuFacts {
  name: string;
  /** Quota family, the usage name it counts under (`standardDSv5Family`). */
  family: string;
  vcpus: number;
}

export interface UsageReading {
  name: string;
  label?: string;
  currentValue: number;
  limit: number;
}

export interface QuotaVerdict {
  /** vCPUs the wave needs, by usage name (families and `cores`). */
  demand: Record<string, number>;
  /** Usages without room, in words. */
  shortfalls: string[];
  /** Planned sizes the region does not offer, with the VMs planned on them. */
  unknownSizes: { size: string; vms: string[] }[];
  /** VMs with no planned size (Azure chooses at enable; not counted). */
  unsized: string[];
}

export const totalVcpuUsage = 'cores';

export function evaluateQuota(vms: PreflightVm[], skus: SkuFacts[], usages: UsageReading[]): QuotaVerdict {
  const bySize = new Map(skus.map((s) => [s.name.toLowerCase(), s]));
  const demand: Record<string, number> = {};
  const unknown = new Map<string, string[]>();
  const unsized: string[] = [];
  for (const vm of vms) {
    if (!vm.targetVmSize) {
      unsized.push(vm.name);
      continue;
    }
    const sku = bySize.get(vm.targetVmSize.toLowerCase());
    if (!sku) {
      unknown.set(vm.targetVmSize, [...(unknown.get(vm.targetVmSize) ?? []), vm.name]);
      continue;
    }
    demand[sku.family] = (demand[sku.family] ?? 0) + sku.vcpus;
    demand[totalVcpuUsage] = (demand[totalVcpuUsage] ?? 0) + sku.vcpus;
  }
  const usageByName = new Map(usages.map((u) => [u.name.toLowerCase(), u]));
  const shortfalls: string[] = [];
  for (const [name, needed] of Object.entries(demand).sort(([a], [b]) => a.localeCompare(b))) {
    const usage = usageByName.get(name.toLowerCase());
    const free = usage ? usage.limit - usage.currentValue : 0;
    if (needed > free)
      shortfalls.push(
        usage
          ? `${usage.label ? `${usage.label} (${name})` : name}: the wave needs ${needed}, ${Math.max(free, 0)} of ${usage.limit} free (${usage.currentValue} in use)`
          : `${name}: the wave needs ${needed}, the region reports no quota for it`,
      );
  }
  return {
    demand,
    shortfalls,
    unknownSizes: [...unknown].map(([size, names]) => ({ size, vms: names })),
    unsized,
  };
}
