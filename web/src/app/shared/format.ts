// Formatting shared by the pages. Times come from the API as ISO-8601 UTC and are shown in the
// browser's local time.

export function timeOf(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d.getTime()) ? '—' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function dateTimeOf(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d.getTime()) ? '—' : d.toLocaleString([], { dateStyle: 'short', timeStyle: 'medium' });
}

// Local midnight today as an ISO-8601 UTC string (the API's `from`).
export function startOfToday(): Date {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d;
}

// YYYY-MM-DD of a local date.
export function isoDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function percent(v: number | null | undefined): string {
  return v == null || isNaN(v) ? '—' : `${(v * 100).toFixed(1)} %`;
}

export function usd(v: number | null | undefined): string {
  return v == null || isNaN(v) ? '—' : `$${v.toFixed(v < 1 ? 4 : 2)}`;
}
