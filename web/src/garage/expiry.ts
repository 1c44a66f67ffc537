// How a document's expiry date reads: expired, expiring within 30 days, or valid.

export const EXPIRING_SOON_DAYS = 30;

export function expiryStatus(expiryDate: string | null, today: Date = new Date()):
  { text: string; tone: 'danger' | 'warning' | 'ok' } | null {
  if (!expiryDate) return null;
  const expiry = new Date(`${expiryDate}T00:00:00`);
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  const days = Math.round((expiry.getTime() - start.getTime()) / 86_400_000);
  const date = expiry.toLocaleDateString('en', { year: 'numeric', month: 'short', day: 'numeric' });
  if (days < 0) return { text: `Expired on ${date}`, tone: 'danger' };
  if (days <= EXPIRING_SOON_DAYS) return { text: `Expires on ${date} (in ${days} day${days === 1 ? '' : 's'})`, tone: 'warning' };
  return { text: `Valid until ${date}`, tone: 'ok' };
}
