/** Only http(s) links and redirects are followed: never `javascript:` or `data:`. */
export function safeUrl(raw: string | undefined, base = location.href): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw, base);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}
