/**
 * The dashboard's HTML, rendered on the server from the aggregated program data (pure functions, tested
 * without a browser). Pages are plain HTML with htmx attributes for polling and actions: headings, tables
 * with captions, buttons with text, and states in words (nothing is said by colour alone).
 */
import type { Role } from '../../contracts/operator-stamp.ts';
import type { BatchView, WaveSnapshot } from '../../cli/operate/wave-view.ts';
import { formatDuration } from '../../cli/operate/progress-format.ts';
import { chartFigure } from '../../cli/charts/figure.ts';
import { chartStyles } from '../../cli/charts/figure.ts';
import { escapeHtml as e, formatNumber } from '../../cli/charts/html.ts';
import { renderSvgChart } from '../../cli/charts/svg-chart.ts';
import { mayAct, rolesFor, type ActionName } from '../roles.ts';
import type {
  BatchPage,
  Burndown,
  DashboardDecision,
  DashboardLoad,
  ProgramSnapshot,
} from './program-data.ts';

export interface Viewer {
  name: string;
  roles: Role[];
  csrf: string;
}

/** The actions the dashboard offers, each with the API action (and so the roles) it needs. */
export const dashboardActions = {
  approve: { api: 'approve', label: 'Approve the wave' },
  'approve-waiving': { api: 'approve', label: 'Approve, waiving what the gate lists' },
  retry: { api: 'retry', label: 'Retry' },
  skip: { api: 'skip', label: 'Skip the parked VMs (defer them)' },
  rollback: { api: 'rollback', label: 'Roll the batch back' },
  cutover: { api: 'cutover', label: 'Open the cutover window now' },
  'force-cutover': { api: 'force-cutover', label: 'Force the cutover now' },
  postpone: { api: 'postpone', label: 'Postpone the cutover' },
  'sign-off': { api: 'sign-off', label: 'Sign off' },
  reject: { api: 'sign-off', label: 'Reject the validation' },
  'database-retry': { api: 'database-retry', label: 'Retry the database' },
  'database-rollback': { api: 'database-rollback', label: 'Roll the database back' },
} as const satisfies Record<string, { api: ActionName; label: string }>;
export type DashboardAction = keyof typeof dashboardActions;

export const isDashboardAction = (name: string): name is DashboardAction => name in dashboardActions;

const styles = `body{font-family:system-ui,sans-serif;margin:0;color:#111;line-height:1.4}
header,main,footer{padding:8px 24px}header{background:#f1f3f5;display:flex;gap:24px;align-items:center;flex-wrap:wrap}
header nav a{margin-right:16px}table{border-collapse:collapse;margin:8px 0 16px}caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border-bottom:1px solid #ccc;padding:3px 10px;text-align:left;font-size:14px}td.n{text-align:right;font-variant-numeric:tabular-nums}
.decision{border:1px solid #999;padding:8px 12px;margin:12px 0;max-width:960px}.decision h3{margin:0 0 4px}
.actions{display:flex;flex-wrap:wrap;gap:8px;align-items:center}.why{font-size:13px;color:#333}
button{font-size:14px;padding:4px 10px}button[disabled]{cursor:not-allowed}.result{margin-top:6px;font-weight:600}
footer{font-size:13px;color:#333;border-top:1px solid #ccc;margin-top:24px}
${chartStyles}`;

export function layout(title: string, viewer: Viewer, body: string, load?: DashboardLoad): string {
  // Every htmx request of the page carries the session's CSRF token (the server refuses POSTs without it).
  const headers = e(JSON.stringify({ 'x-factory-csrf': viewer.csrf }));
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} · Migration Factory</title><meta name="htmx-config" content='{"noSwap":[204,304,"5xx"]}'><script src="/dashboard/assets/htmx.min.js"></script><style>${styles}</style></head>
<body hx-headers:inherited="${headers}"><header><strong>Migration Factory</strong><nav aria-label="Dashboard"><a href="/dashboard">Program</a><a href="/dashboard/decisions">Needs a decision</a><a href="/dashboard/plan">Plan</a></nav>
<span>Signed in as ${e(viewer.name)} (${e(viewer.roles.join(', ') || 'no role')})</span>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${e(viewer.csrf)}"><button type="submit">Sign out</button></form></header>
<main><h1>${e(title)}</h1>${body}</main>
<footer>${load ? loadFooter(load) : ''}</footer></body></html>`;
}

export const loadFooter = (load: DashboardLoad) =>
  `<p id="load">Reads from Temporal in the last minute, for all viewers together: ${load.lastMinute.visibilityCalls} visibility list call(s), ${load.lastMinute.queryCalls} workflow quer(ies), ${load.lastMinute.describeCalls} describe call(s), ${load.lastMinute.historyCalls} history read(s), ${load.lastMinute.refreshes} program refresh(es); data is reused for ${load.refreshSeconds} s. <a href="/api/dashboard/load">Load as JSON</a>.</p>`;

const countsTable = (id: string, caption: string, what: string, counts: Record<string, number>) => {
  const rows = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b));
  return `<table id="${id}"><caption>${e(caption)}</caption><thead><tr><th scope="col">${e(what)}</th><th scope="col">count</th></tr></thead><tbody>${
    rows.length === 0
      ? '<tr><td colspan="2">none</td></tr>'
      : rows
          .map(([k, n]) => `<tr><th scope="row">${e(k)}</th><td class="n">${formatNumber(n)}</td></tr>`)
          .join('')
  }</tbody></table>`;
};

/** Polls `url` every `seconds` and replaces itself with the answer. */
const live = (id: string, url: string, seconds: number, inner: string) =>
  `<div id="${id}" hx-get="${e(url)}" hx-trigger="every ${seconds}s" hx-swap="outerHTML" aria-live="polite">${inner}</div>`;

export function burndownChart(burn: Burndown | undefined): string {
  const title = 'VMs migrated per week against the plan';
  const description =
    'Cumulative VMs migrated by the end of each ISO week (weeks start Monday, UTC): the plan (dashed) and what the batches actually migrated (solid, up to this week). Hover a point for its value; the table repeats them.';
  if (!burn)
    return chartFigure({
      id: 'burndown',
      title,
      description,
      svg: undefined,
      emptyText: 'No plan and no finished batch yet: nothing to draw.',
      table: { columns: [], rows: [] },
    });
  const at = (week: string) => Date.parse(`${week}T00:00:00Z`) + 3.5 * 86_400_000;
  const svg = renderSvgChart({
    id: 'burndown-chart',
    label: title,
    width: 860,
    height: 300,
    option: {
      grid: { top: 40, bottom: 64, left: 72, right: 160 },
      legend: { top: 0, data: ['planned', 'migrated'] },
      xAxis: {
        type: 'time',
        name: 'week (UTC)',
        nameLocation: 'middle',
        nameGap: 36,
        // Ticks no closer than a week: a one-week plan would otherwise repeat its dates at sub-day ticks.
        minInterval: 7 * 86_400_000,
        axisLabel: { formatter: '{yyyy}-{MM}-{dd}', hideOverlap: true },
      },
      yAxis: { type: 'value', name: 'VMs migrated (cumulative)', min: 0, max: Math.max(1, burn.totalVms) },
      series: [
        {
          type: 'line',
          name: 'planned',
          data: burn.weeks.map((w, i) => [at(w), burn.planned[i] ?? 0]),
          lineStyle: { type: 'dashed' },
          symbol: 'rect',
          color: '#555',
        },
        {
          type: 'line',
          name: 'migrated',
          data: burn.weeks.flatMap((w, i) => (burn.actual[i] == null ? [] : [[at(w), burn.actual[i]]])),
          symbol: 'circle',
          color: '#3b6ea5',
        },
      ],
    },
    titleOf: (series, index) => {
      const week =
        series === 0 ? burn.weeks[index] : burn.weeks.filter((_, i) => burn.actual[i] != null)[index];
      const value = series === 0 ? burn.planned[index] : burn.actual.filter((a) => a != null)[index];
      return week === undefined || value == null
        ? undefined
        : `week of ${week}: ${formatNumber(value)} VMs ${series === 0 ? 'planned' : 'migrated'}`;
    },
  });
  return chartFigure({
    id: 'burndown',
    title,
    description,
    svg,
    emptyText: '',
    table: {
      columns: ['week of (UTC)', 'planned (VMs)', 'migrated (VMs)'],
      rows: burn.weeks.map((w, i) => [w, burn.planned[i] ?? 0, burn.actual[i] ?? '']),
    },
  });
}

/** The live part of the program page (polled). */
export function programLive(p: ProgramSnapshot, refreshSeconds: number): string {
  const waves = `<table id="waves"><caption>Waves (${p.waves.length})</caption><thead><tr><th scope="col">wave</th><th scope="col">state</th><th scope="col">VMs</th><th scope="col">batches</th><th scope="col">batches by stage</th></tr></thead><tbody>${p.waves
    .map(
      (w) =>
        `<tr><th scope="row">${w.status === 'NOT_STARTED' ? e(w.waveId) : `<a href="/dashboard/waves/${encodeURIComponent(w.waveId)}">${e(w.waveId)}</a>`}</th><td>${e(w.status === 'RUNNING' ? w.phase : `${w.phase} (${w.status})`)}</td><td class="n">${w.vmCount}</td><td class="n">${w.batchCount}</td><td>${e(
          Object.entries(w.batchesByStage)
            .map(([s, n]) => `${n} ${s}`)
            .join(', '),
        )}</td></tr>`,
    )
    .join('')}</tbody></table>`;
  const decisions =
    p.decisions.length === 0
      ? '<p id="decision-count">Nothing needs a decision now.</p>'
      : `<p id="decision-count"><a href="/dashboard/decisions">${p.decisions.length} item(s) need a decision now</a>.</p>`;
  return live(
    'program-live',
    '/dashboard/fragments/program',
    refreshSeconds,
    `<p>${formatNumber(p.vmCount)} VMs in ${p.waves.length} wave(s). Updated <time datetime="${e(p.takenAt)}">${e(p.takenAt.slice(11, 19))} UTC</time>.${p.unreadable.length > 0 ? ` ${p.unreadable.length} workflow(s) did not answer in time (${e(p.unreadable.slice(0, 3).join(', '))}${p.unreadable.length > 3 ? ', …' : ''}); they are read again at the next refresh.` : ''}</p>${decisions}
<div class="tables" style="display:flex;gap:32px;flex-wrap:wrap">${countsTable('waves-by-state', 'Waves by state', 'state', p.wavesByState)}${countsTable('vms-by-stage', 'VMs by stage', 'stage', p.vmsByStage)}${countsTable('databases-by-stage', 'Databases by stage', 'stage', p.databasesByStage)}</div>
${waves}${burndownChart(p.burndown)}`,
  );
}

const pct = (n: number | undefined) => (n === undefined ? '' : `${Math.floor(n)} %`);

function batchRow(b: BatchView): string {
  const counts = Object.entries(b.counts)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return `<tr><th scope="row">${b.started ? `<a href="/dashboard/batches/${encodeURIComponent(b.batchId)}">${e(b.batchId)}</a>` : e(b.batchId)}</th><td>${e(b.phase)}${b.paused ? ' (paused)' : ''}${b.started ? '' : ' (not started)'}</td><td class="n">${b.vmCount}</td><td>${e(counts)}</td><td class="n">${pct(b.replicationPercent)}</td><td class="n">${b.maxRpoSeconds === undefined ? '' : formatDuration(b.maxRpoSeconds)}</td><td class="n">${b.etaSeconds === undefined || (b.replicationPercent ?? 100) >= 100 ? '' : formatDuration(b.etaSeconds)}</td><td>${e(b.detail ?? '')}</td></tr>`;
}

export function waveLive(s: WaveSnapshot, refreshSeconds: number): string {
  const errors = s.batches.flatMap((b) => b.healthErrors);
  const health =
    errors.length === 0
      ? '<p>No replication health errors.</p>'
      : `<table id="health-errors"><caption>Replication health errors (${errors.length}) with Azure's recommended action</caption><thead><tr><th scope="col">batch</th><th scope="col">VM</th><th scope="col">error</th><th scope="col">recommended action</th></tr></thead><tbody>${errors
          .slice(0, 200)
          .map(
            (h) =>
              `<tr><td>${e(h.batchId)}</td><td>${e(h.vm)}</td><td>${e(`${h.code}: ${h.message}`)}</td><td>${e(h.recommendedAction ?? '')}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return live(
    'wave-live',
    `/dashboard/fragments/waves/${encodeURIComponent(s.waveId)}`,
    refreshSeconds,
    `<p>${e(s.phase)} (${e(s.status)}) · ${s.vmCount} VMs in ${s.batches.length} batch(es)${s.maxConcurrentBatches === undefined ? '' : ` · up to ${s.maxConcurrentBatches} at a time`}. Updated ${e(s.takenAt.slice(11, 19))} UTC.</p>
${s.detail ? `<p>${e(s.detail)}</p>` : ''}${s.approval ? `<p>Approved by ${e(s.approval.by)}: ${e(s.approval.reason)}</p>` : ''}
${s.decisions.length > 0 ? `<p><a href="/dashboard/decisions">${s.decisions.length} item(s) of this wave need a decision</a>.</p>` : ''}
${countsTable('wave-vms', 'VMs by state', 'state', s.vms)}
<table id="batches"><caption>Batches</caption><thead><tr><th scope="col">batch</th><th scope="col">phase</th><th scope="col">VMs</th><th scope="col">VM states</th><th scope="col">initial replication</th><th scope="col">worst RPO</th><th scope="col">ETA</th><th scope="col">detail</th></tr></thead><tbody>${s.batches.map(batchRow).join('')}</tbody></table>
<h2>Health</h2>${health}`,
  );
}

export function batchLive(b: BatchPage, refreshSeconds: number): string {
  const p = b.progress;
  return live(
    'batch-live',
    `/dashboard/fragments/batches/${encodeURIComponent(p.batchId)}`,
    refreshSeconds,
    `<p>${b.waveId ? `Wave <a href="/dashboard/waves/${encodeURIComponent(b.waveId)}">${e(b.waveId)}</a> · ` : ''}<span id="batch-phase">${e(p.phase)}</span>${p.paused ? ' (paused)' : ''} (${e(b.status)})${p.cutoverAt ? ` · cutover window ${e(p.cutoverAt)}` : ''}. Updated ${e(b.takenAt.slice(11, 19))} UTC.</p>
${p.detail ? `<p>${e(p.detail)}</p>` : ''}
<table id="vms"><caption>VMs (${p.vms.length})</caption><thead><tr><th scope="col">VM</th><th scope="col">disposition</th><th scope="col">state</th><th scope="col">replication health</th><th scope="col">initial replication</th><th scope="col">RPO</th><th scope="col">why</th><th scope="col">health errors and recommended action</th></tr></thead><tbody>${p.vms
      .map(
        (vm) =>
          `<tr><th scope="row">${e(vm.name)}</th><td>${e(vm.disposition)}</td><td>${e(vm.state)}</td><td>${e(vm.replicationHealth)}</td><td class="n">${pct(vm.initialReplicationPercent)}</td><td class="n">${vm.rpoSeconds === undefined ? '' : formatDuration(vm.rpoSeconds)}</td><td>${e([vm.reason, vm.errorCode].filter(Boolean).join(' · '))}</td><td>${e(vm.healthErrors.map((h) => `${h.code}: ${h.message}${h.recommendedAction ? ` → ${h.recommendedAction}` : ''}`).join('; '))}</td></tr>`,
      )
      .join('')}</tbody></table>`,
  );
}

/** One action button: enabled when the viewer's roles allow it, otherwise disabled with the role it needs. */
export function actionButton(action: DashboardAction, viewer: Pick<Viewer, 'roles'>, id: string): string {
  const { api, label } = dashboardActions[action];
  if (mayAct(api, viewer.roles))
    return `<button type="submit" name="action" value="${action}">${e(label)}</button>`;
  const why = `Needs the ${rolesFor(api).join(' or ')} role; you have ${viewer.roles.join(', ') || 'none'}.`;
  return `<button type="submit" name="action" value="${action}" disabled aria-describedby="${id}-why">${e(label)}</button><span class="why" id="${id}-why">${e(why)}</span>`;
}

/** The actions each kind of decision offers. */
export function actionsFor(d: DashboardDecision): DashboardAction[] {
  switch (d.kind) {
    case 'approval':
      return ['approve'];
    case 'gate-refused':
      return ['approve-waiving'];
    case 'held-batch':
      return d.parkedVms?.length ? ['retry', 'skip', 'rollback'] : ['retry', 'rollback'];
    case 'cutover-window':
      return ['force-cutover', 'postpone', 'rollback'];
    case 'cutover-window-opening':
      return ['cutover', 'postpone'];
    case 'sign-off':
      return ['sign-off', 'reject'];
    case 'failed-database':
      return ['database-retry', 'database-rollback'];
  }
}

const kindTitle: Record<DashboardDecision['kind'], string> = {
  approval: 'Wave waits for an approval',
  'gate-refused': 'The gate refuses the wave',
  'held-batch': 'Batch held',
  'cutover-window': 'Cutover window missed',
  'cutover-window-opening': 'Cutover window opening',
  'sign-off': 'Validation sign-off due',
  'failed-database': 'Database held after a failure',
};

export function decisionItem(d: DashboardDecision, viewer: Viewer, index: number): string {
  const id = `decision-${index}`;
  const hidden = (name: string, value: string | undefined) =>
    value ? `<input type="hidden" name="${name}" value="${e(value)}">` : '';
  const actions = actionsFor(d);
  const gate = d.gate
    ? `<p>Not Ready: ${e(d.gate.notReady.join(', ') || 'none')}; failing checks: ${e(d.gate.preflight.join(', ') || 'none')}; capacity violations: ${d.gate.capacity}.</p>`
    : '';
  const parked = d.parkedVms?.length ? `<p>Parked VMs: ${e(d.parkedVms.join(', '))}</p>` : '';
  const link = d.batchId
    ? `<a href="/dashboard/batches/${encodeURIComponent(d.batchId)}">batch ${e(d.batchId)}</a>`
    : d.waveId
      ? `<a href="/dashboard/waves/${encodeURIComponent(d.waveId)}">wave ${e(d.waveId)}</a>`
      : `database ${e(d.databaseId ?? d.subject)}`;
  return `<article class="decision" id="${id}" data-kind="${e(d.kind)}" data-subject="${e(d.subject)}" aria-labelledby="${id}-title">
<h3 id="${id}-title">${e(kindTitle[d.kind])}: ${e(d.subject)}</h3><p>${link}${d.waveId && d.batchId ? ` of wave ${e(d.waveId)}` : ''}. ${e(d.detail)}</p>${gate}${parked}
<form hx-post="/dashboard/actions" hx-target="#${id}-result" hx-swap="innerHTML">
${hidden('waveId', d.waveId)}${hidden('batchId', d.batchId)}${hidden('databaseId', d.databaseId)}${hidden('vmNames', d.parkedVms?.join(' '))}${hidden('waive', d.gate?.notReady.join(' '))}${hidden('waiveChecks', d.gate?.preflight.join(' '))}${hidden('acceptCapacity', d.gate && d.gate.capacity > 0 ? 'true' : undefined)}
<p><label>Reason (recorded in the audit) <input name="reason" required maxlength="1000" size="40"></label> <label>Change ticket <input name="ticket" maxlength="100" size="10"></label>${actions.includes('postpone') ? ' <label>Postpone until (ISO date-time) <input name="until" size="22"></label>' : ''}</p>
<div class="actions">${actions.map((a, i) => actionButton(a, viewer, `${id}-${i}`)).join(' ')}</div>
<div class="result" id="${id}-result" role="status"></div></form></article>`;
}

export function decisionsPage(p: ProgramSnapshot, viewer: Viewer, refreshSeconds: number): string {
  const list =
    p.decisions.length === 0
      ? '<p id="no-decisions">Nothing needs a decision now.</p>'
      : p.decisions.map((d, i) => decisionItem(d, viewer, i)).join('\n');
  // The list itself is not polled (it would wipe a reason being typed); a polled line says when it changed.
  return `<p>Held batches, refused gates, cutover windows, sign-offs due and failed databases, with the actions your roles allow. As of ${e(p.takenAt.slice(11, 19))} UTC.</p>
${live('decisions-live', `/dashboard/fragments/decision-count?shown=${p.decisions.length}`, refreshSeconds, '')}
<section aria-label="Decisions">${list}</section>`;
}

export const decisionCount = (now: number, shown: number, refreshSeconds: number) =>
  live(
    'decisions-live',
    `/dashboard/fragments/decision-count?shown=${shown}`,
    refreshSeconds,
    now === shown
      ? ''
      : `<p><a href="/dashboard/decisions">${now} item(s) need a decision now; reload the list</a>.</p>`,
  );

export const actionResult = (ok: boolean, message: string) =>
  `<p class="${ok ? 'accepted' : 'refused'}">${ok ? 'Done: ' : 'Refused: '}${e(message)}</p>`;

export const messagePage = (title: string, message: string, link?: { href: string; text: string }) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${e(title)}</title><style>${styles}</style></head><body><main><h1>${e(title)}</h1><p>${e(message)}</p>${link ? `<p><a href="${e(link.href)}">${e(link.text)}</a></p>` : ''}</main></body></html>`;
