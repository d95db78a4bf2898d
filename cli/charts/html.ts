/** HTML text and attribute escaping for the server-rendered charts and reports. */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-01-05 22:00 UTC`: the charts' time zone is UTC, stated with every instant. */
export function utcMinute(instant: string | number): string {
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) throw new Error(`not an instant: ${String(instant)}`);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** `2026-01-05`: the UTC calendar day of an instant. */
export const utcDay = (instant: string | number) => utcMinute(instant).slice(0, 10);

export const formatNumber = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
