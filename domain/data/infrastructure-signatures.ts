/**
 * How shared infrastructure shows itself in dependency data: the processes, applications and ports
 * of its services, and on which side of a connection the shared server sits. Used by
 * `domain/assess/infrastructure.ts`. Names are matched case-insensitively as whole process names
 * (with or without ".exe") or, for multi-word service/application names, as substrings.
 *
 * Sources (checked 2025):
 * - Azure Migrate appliance components and traffic (vCenter on 443, Hyper-V hosts on WinRM 5985/5986,
 *   servers for software inventory and dependency data over WinRM / SSH):
 *   https://learn.microsoft.com/azure/migrate/migrate-appliance-architecture
 *   https://learn.microsoft.com/azure/migrate/migrate-support-matrix-vmware#port-access-requirements
 * - Appliance services "Microsoft Azure Gateway Service" (asrgwy), "Microsoft Azure Hyper-V Discovery
 *   Service" (amhvdiscoverysvc), "Azure Site Recovery Management Service" (asrmgmtsvc):
 *   https://learn.microsoft.com/azure/migrate/troubleshoot-changed-block-tracking-replication
 *   https://learn.microsoft.com/azure/azure-local/migrate/ (Hyper-V migration: "agent and service
 *   requirements" of the source appliance)
 * - Appliance install folders "Microsoft Azure Appliance Configuration Manager", "… Appliance Auto
 *   Update", "… Server Discovery Service", "… VMware Discovery Service" (antivirus folder exclusions):
 *   https://learn.microsoft.com/azure/site-recovery/replication-appliance-support-matrix
 * - AD DS / DNS ports (Kerberos 88, 464; LDAP 389, 636; Global Catalog 3268, 3269; DNS 53; lsass.exe
 *   owns the Kerberos/LDAP listeners):
 *   https://learn.microsoft.com/troubleshoot/windows-server/networking/service-overview-and-network-port-requirements
 * - Operations Manager agent → management server 5723:
 *   https://learn.microsoft.com/system-center/scom/plan-security-config-firewall
 * - Zabbix server 10051 / agent 10050: https://www.zabbix.com/documentation/current/en/manual/concepts
 * - Nagios NRPE 5666, SNMP 161/162, syslog 514: IANA service name registry
 *   https://www.iana.org/assignments/service-names-port-numbers
 * - Veeam backup server 9392, installer 6160 and transport 6162 on managed servers:
 *   https://helpcenter.veeam.com/docs/backup/vsphere/used_ports.html
 * - NetBackup bprd 13720 (master server), bpcd 13782 (on clients): IANA registry above. PBX 1556 and
 *   vnetd 13724 run on every NetBackup host, clients included, so they identify no server.
 */

export type InfrastructureRole =
  'migration-appliance' | 'dns' | 'directory' | 'backup' | 'monitoring' | 'hub';

export interface InfrastructureSignature {
  role: Exclude<InfrastructureRole, 'hub'>;
  /** What the signature describes, used in evidence text. */
  service: string;
  /**
   * Which end of a connection is the shared server: `destination` for services clients call
   * (DNS, LDAP, an agent reporting in), `source` for servers that call out to many (a backup server
   * pulling from agents, a poller).
   */
  side: 'destination' | 'source';
  /** Ports on which this side is reached (destination) or which it calls on others (source). */
  ports: readonly number[];
  /** Process or application names that identify the service on this side; one match is enough. */
  names: readonly string[];
}

export const infrastructureSignatures: readonly InfrastructureSignature[] = [
  {
    role: 'migration-appliance',
    service: 'Azure Migrate appliance',
    side: 'source',
    ports: [],
    names: [
      'Microsoft Azure Appliance Configuration Manager',
      'Microsoft Azure Appliance Auto Update',
      'Microsoft Azure Gateway Service',
      'Microsoft Azure Server Discovery Service',
      'Microsoft Azure VMware Discovery Service',
      'Microsoft Azure Hyper-V Discovery Service',
      'Azure Site Recovery Management Service',
      'asrgwy',
      'amhvdiscoverysvc',
      'asrmgmtsvc',
    ],
  },
  {
    role: 'directory',
    service: 'Active Directory / LDAP',
    side: 'destination',
    ports: [88, 389, 464, 636, 3268, 3269],
    names: ['lsass', 'Active Directory Domain Services', 'slapd', 'ns-slapd'],
  },
  {
    role: 'dns',
    service: 'DNS',
    side: 'destination',
    ports: [53],
    names: ['dns', 'named', 'unbound', 'dnsmasq', 'pdns_server', 'DNS Server'],
  },
  {
    role: 'backup',
    service: 'backup server',
    side: 'destination',
    ports: [9392, 13720],
    names: [
      'Veeam.Backup.Service',
      'Veeam.Backup.Manager',
      'Veeam Backup & Replication',
      'bprd',
      'nbpem',
      'nbjm',
      'dsmserv',
      'beserver',
    ],
  },
  {
    role: 'backup',
    service: 'backup server',
    side: 'source',
    ports: [6160, 6162, 10000, 13782],
    names: ['Veeam.Backup.Manager', 'Veeam.Backup.Service', 'bpbrm', 'beserver'],
  },
  {
    role: 'monitoring',
    service: 'monitoring server',
    side: 'destination',
    ports: [5723, 10051, 162, 514, 9997],
    names: [
      'Microsoft.Mom.Sdk.ServiceHost',
      'System Center Operations Manager',
      'zabbix_server',
      'splunkd',
      'rsyslogd',
      'syslog-ng',
    ],
  },
  {
    role: 'monitoring',
    service: 'monitoring server',
    side: 'source',
    ports: [10050, 5666, 161],
    names: ['zabbix_server', 'zabbix_proxy', 'nagios', 'icinga2', 'prometheus'],
  },
];

/**
 * Ports the Azure Migrate appliance uses to reach the servers it discovers and the vCenter / hosts
 * it reads: SSH, RPC, HTTPS (vCenter), SMB, WinRM.
 */
export const applianceManagementPorts: readonly number[] = [22, 135, 443, 445, 5985, 5986];

/**
 * The appliance's discovery protocols (WinRM for Windows, SSH for Linux). A server fanning out on
 * these is administering others; fanning out on 443 alone is a proxy or load balancer.
 */
export const applianceDiscoveryPorts: readonly number[] = [22, 5985, 5986];

/** When one server has several roles, the first in this order names it. */
export const rolePriority: readonly InfrastructureRole[] = [
  'migration-appliance',
  'directory',
  'dns',
  'backup',
  'monitoring',
  'hub',
];
