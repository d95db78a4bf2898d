/**
 * Writes PNG screenshots of the plan report (docs/screenshots/) with Debian's headless Chromium through
 * playwright-core — no browser download. Run: `npx tsx test/plan/plan-report-screenshots.ts`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { renderPlanReport } from '../../cli/plan/plan-report-html.ts';
import { planSha256 } from '../../workspace/plan-files.ts';
import { estateOf, planOf } from './plan-fixtures.ts';

const plan = planOf(
  estateOf([
    { name: 'pay', vms: 40, priority: 1, environment: 'Development' },
    { name: 'crm', vms: 30, priority: 2 },
    { name: 'erp', vms: 60, priority: 3, group: 'Sales' },
    { name: 'web', vms: 25, priority: 4 },
  ]),
  (o) => {
    o.waves.maxVms = 50;
    o.batches.maxVms = 20;
    o.appliances.maxVms = 40;
  },
);
const out = join(import.meta.dirname, '../../docs/screenshots');
const dir = await mkdtemp(join(tmpdir(), 'plan-report-'));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
try {
  const file = join(dir, 'plan-report.html');
  await writeFile(file, renderPlanReport(plan, planSha256(plan)));
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(pathToFileURL(file).href);
  for (const [id, name] of [
    ['gantt', 'plan-report-gantt.png'],
    ['vms-replicating', 'plan-report-vms-replicating.png'],
    ['rpo-bandwidth', 'plan-report-rpo-bandwidth.png'],
  ] as const) {
    await page.locator(`#${id}`).screenshot({ path: join(out, name) });
    console.log(`wrote docs/screenshots/${name}`);
  }
} finally {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
}
