/**
 * The source platform: a subset of the vSphere Automation REST API (vCenter 7+ `/api` paths) over the
 * simulated VMware inventory. Sessions: `POST /api/session` with basic auth returns a token (a JSON
 * string) that later calls send as `vmware-api-session-id`.
 */
import { randomBytes } from 'node:crypto';
import type { Simulation } from './simulation.ts';
import type { SourceVmRecord } from './site-recovery/types.ts';

export interface PlainResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface VsphereError {
  error_type: string;
  messages: { id: string; default_message: string; args: string[] }[];
}

const vsphereError = (status: number, type: string, message: string): PlainResponse => ({
  status,
  body: {
    error_type: type,
    messages: [{ id: `vapi.${type.toLowerCase()}`, default_message: message, args: [] }],
  } satisfies VsphereError,
});

export class SourcePlatform {
  constructor(private readonly sim: Simulation) {}

  private get sessions(): Set<string> {
    return this.sim.vsphereSessions;
  }

  /** Returns undefined when the path is not a vSphere API path. */
  handle(
    method: string,
    url: URL,
    headers: Record<string, string | string[] | undefined>,
  ): PlainResponse | undefined {
    if (!url.pathname.startsWith('/api/')) return undefined;
    if (url.pathname === '/api/session') return this.session(method, headers);
    const token = headers['vmware-api-session-id'];
    if (typeof token !== 'string' || !this.sessions.has(token)) {
      return vsphereError(
        401,
        'UNAUTHENTICATED',
        'This method requires authentication: send a valid vmware-api-session-id.',
      );
    }
    const parts = url.pathname.split('/').filter(Boolean);
    // ['api', 'vcenter', 'vm', id?, 'power'?]
    if (parts[1] !== 'vcenter' || parts[2] !== 'vm') {
      return vsphereError(404, 'NOT_FOUND', `No API at ${url.pathname}.`);
    }
    const vmId = parts[3];
    if (vmId === undefined) {
      return method === 'GET'
        ? this.list(url)
        : vsphereError(405, 'OPERATION_NOT_FOUND', `${method} is not supported here.`);
    }
    const vm = this.sim.state.sourceVms[vmId];
    if (!vm) return vsphereError(404, 'NOT_FOUND', `Virtual machine '${vmId}' does not exist.`);
    if (parts.length === 4) {
      return method === 'GET'
        ? { status: 200, body: this.detail(vm) }
        : vsphereError(405, 'OPERATION_NOT_FOUND', `${method} is not supported here.`);
    }
    if (parts.length === 5 && parts[4] === 'power') {
      if (method === 'GET') return { status: 200, body: { state: vm.powerState } };
      if (method === 'POST') return this.power(vm, url.searchParams.get('action'));
      return vsphereError(405, 'OPERATION_NOT_FOUND', `${method} is not supported here.`);
    }
    return vsphereError(404, 'NOT_FOUND', `No API at ${url.pathname}.`);
  }

  private session(method: string, headers: Record<string, string | string[] | undefined>): PlainResponse {
    if (method === 'DELETE') {
      const token = headers['vmware-api-session-id'];
      if (typeof token === 'string') this.sessions.delete(token);
      return { status: 204 };
    }
    if (method !== 'POST')
      return vsphereError(405, 'OPERATION_NOT_FOUND', `${method} is not supported on /api/session.`);
    const authorization = headers.authorization;
    const basic = typeof authorization === 'string' ? /^Basic\s+(\S+)$/i.exec(authorization) : null;
    const decoded = basic?.[1] ? Buffer.from(basic[1], 'base64').toString('utf8') : '';
    if (!decoded.includes(':') || decoded.startsWith(':')) {
      return vsphereError(
        401,
        'UNAUTHENTICATED',
        'Authentication required: send basic credentials (any user).',
      );
    }
    const token = randomBytes(16).toString('hex');
    this.sessions.add(token);
    return { status: 201, body: token };
  }

  private list(url: URL): PlainResponse {
    const names = url.searchParams.getAll('names');
    const powerStates = url.searchParams.getAll('power_states');
    const vms = Object.values(this.sim.state.sourceVms).filter(
      (vm) =>
        (names.length === 0 || names.includes(vm.name)) &&
        (powerStates.length === 0 || powerStates.includes(vm.powerState)),
    );
    return {
      status: 200,
      body: vms.map((vm) => ({
        vm: vm.vmId,
        name: vm.name,
        power_state: vm.powerState,
        cpu_count: vm.cpus,
        memory_size_MiB: vm.memoryMiB,
      })),
    };
  }

  private detail(vm: SourceVmRecord) {
    return {
      name: vm.name,
      power_state: vm.powerState,
      guest_OS: vm.os.toUpperCase().replace(/[^A-Z0-9]+/g, '_'),
      cpu: { count: vm.cpus, cores_per_socket: 1, hot_add_enabled: false, hot_remove_enabled: false },
      memory: { size_MiB: vm.memoryMiB, hot_add_enabled: false },
      identity: { name: vm.name, instance_uuid: vm.uuid, bios_uuid: vm.uuid },
      disks: Object.fromEntries(
        vm.disks.map((disk, index) => [
          disk.id,
          { label: `Hard disk ${index + 1}`, type: 'SCSI', capacity: disk.sizeGiB * 1024 ** 3 },
        ]),
      ),
    };
  }

  private power(vm: SourceVmRecord, action: string | null): PlainResponse {
    const wanted = action === 'start' ? 'POWERED_ON' : action === 'stop' ? 'POWERED_OFF' : undefined;
    if (!wanted)
      return vsphereError(
        400,
        'INVALID_ARGUMENT',
        `Unsupported power action '${action ?? ''}'; use start or stop.`,
      );
    if (vm.powerState === wanted) {
      return vsphereError(
        400,
        'ALREADY_IN_DESIRED_STATE',
        `Virtual machine '${vm.vmId}' is already ${wanted}.`,
      );
    }
    vm.powerState = wanted;
    this.sim.changed();
    return { status: 204 };
  }
}
