/**
 * Admin knobs that break the landing zone for preflight tests (loopback admin API, not ARM): delete a
 * subnet or a resource, set a quota limit, replace a principal's permissions at a scope.
 */
import { z } from 'zod';
import { idKey } from '../arm.ts';
import type { Simulation } from '../simulation.ts';
import type { PlainResponse } from '../source-platform.ts';
import { landingZone } from './seed.ts';

const permissionSchema = z.object({
  actions: z.array(z.string().min(1)),
  notActions: z.array(z.string().min(1)).default([]),
  dataActions: z.array(z.string().min(1)).default([]),
  notDataActions: z.array(z.string().min(1)).default([]),
});
export type PermissionInput = z.input<typeof permissionSchema>;

const subnetSchema = z.object({ networkId: z.string().min(1), subnetName: z.string().min(1) });
const resourceSchema = z.object({ id: z.string().min(1) });
const quotaSchema = z.object({
  location: z.string().min(1),
  name: z.string().min(1),
  limit: z.number().int().nonnegative(),
});
const permissionsSchema = z.object({
  scope: z
    .string()
    .regex(/^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?$/i, 'a subscription or resource group id'),
  principal: z.string().min(1).default('*'),
  permissions: z.array(permissionSchema),
});

const json = (status: number, body: unknown): PlainResponse => ({ status, body });
const invalid = (error: z.ZodError): PlainResponse =>
  json(400, {
    error: {
      code: 'InvalidRequestContent',
      message: error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    },
  });
const missing = (what: string): PlainResponse =>
  json(404, { error: { code: 'NotFound', message: `${what} does not exist.` } });

export function handleLandingZoneAdmin(
  sim: Simulation,
  method: string,
  path: string,
  body: unknown,
): PlainResponse | undefined {
  const zone = landingZone(sim);
  switch (`${method} ${path}`) {
    case 'DELETE /admin/landing-zone/subnet': {
      const parsed = subnetSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      const network = zone.virtualNetworks[idKey(parsed.data.networkId)];
      const before = network?.subnets.length ?? 0;
      if (!network) return missing(`Virtual network ${parsed.data.networkId}`);
      network.subnets = network.subnets.filter(
        (s) => s.name.toLowerCase() !== parsed.data.subnetName.toLowerCase(),
      );
      if (network.subnets.length === before) return missing(`Subnet ${parsed.data.subnetName}`);
      sim.changed();
      return json(200, { deleted: `${network.id}/subnets/${parsed.data.subnetName}` });
    }
    case 'DELETE /admin/landing-zone/resource': {
      const parsed = resourceSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      const key = idKey(parsed.data.id);
      const maps = [zone.resourceGroups, zone.virtualNetworks, zone.storageAccounts] as Record<
        string,
        unknown
      >[];
      const map = maps.find((m) => key in m);
      if (!map) return missing(parsed.data.id);
      delete map[key];
      sim.changed();
      return json(200, { deleted: parsed.data.id });
    }
    case 'PUT /admin/landing-zone/quota': {
      const parsed = quotaSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      const { location, name, limit } = parsed.data;
      (zone.quotas[location.toLowerCase()] ??= {})[name] = limit;
      sim.changed();
      return json(200, { location, name, limit });
    }
    case 'PUT /admin/landing-zone/permissions': {
      const parsed = permissionsSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      const { scope, principal, permissions } = parsed.data;
      zone.roleAssignments = zone.roleAssignments.filter(
        (a) => !(idKey(a.scope) === idKey(scope) && a.principal === principal),
      );
      if (permissions.length > 0) zone.roleAssignments.push({ scope, principal, permissions });
      sim.changed();
      return json(200, { scope, principal, permissions });
    }
  }
  return undefined;
}
