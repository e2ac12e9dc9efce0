// Tiny dependency-free SVG bar charts for BENCHMARKS.md: horizontal bars, one optional
// dashed line for the bar (the quality threshold), values printed at the end of each bar.

const escapeXml = (text) =>
  String(text).replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c],
  );

const COLORS = { ours: '#2563eb', baseline: '#9ca3af', peer: '#f59e0b' };

/**
 * rows: [{ label, value, kind: 'ours'|'baseline'|'peer' }]; `limit`: { value, label } draws
 * the threshold; `format` renders a value.
 */
export function barChart({ title, rows, unit = '', limit, format = (v) => `${v}${unit}` }) {
  const width = 720;
  const labelWidth = 250;
  const barHeight = 22;
  const gap = 8;
  const top = 36;
  const plot = width - labelWidth - 110;
  const max = Math.max(...rows.map((r) => r.value ?? 0), limit?.value ?? 0) || 1;
  const height = top + rows.length * (barHeight + gap) + 24;
  const x = (v) => labelWidth + (v / max) * plot;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
  ];
  rows.forEach((row, i) => {
    const y = top + i * (barHeight + gap);
    const value = row.value ?? 0;
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeXml(row.label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${Math.max(1, x(value) - labelWidth)}" height="${barHeight}" fill="${COLORS[row.kind] ?? COLORS.peer}" rx="3"/>`,
      `<text x="${x(value) + 6}" y="${y + 15}">${escapeXml(row.value === null ? 'n/a' : format(value))}</text>`,
    );
  });
  if (limit) {
    const lx = x(limit.value);
    parts.push(
      `<line x1="${lx}" x2="${lx}" y1="${top - 6}" y2="${height - 18}" stroke="#dc2626" stroke-dasharray="4 3" stroke-width="1.5"/>`,
      `<text x="${lx}" y="${height - 4}" text-anchor="middle" fill="#dc2626" font-size="11">${escapeXml(limit.label)}</text>`,
    );
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
