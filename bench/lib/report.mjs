// Statistics and Markdown formatting of bench rows.

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function si(x) {
  if (!Number.isFinite(x)) return 'n/a';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
}

function num(x, digits = 1) {
  if (!Number.isFinite(x)) return 'n/a';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  return x.toFixed(digits);
}

const MB = 1024 * 1024;

/**
 * row: { scenario, impl, times: number[], packets, bytes, mediaSeconds, outBytes, rss: number[],
 *        heap: number[], nativeMs?, warn?: string, note?: string }
 */
export function formatTable(rows) {
  const head = [
    'Scenario', 'Implementation', 'median ms (min–max)', 'packets/s', 'RTP MB/s', 'realtime ×',
    'time vs ours-native', 'RSS Δ MB', 'heap Δ MB', 'output bytes',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) {
    if (r.warn) {
      lines.push(`| ${r.scenario} | ⚠ WARNING: ${r.warn.replace(/\|/g, '\\|')} |${' |'.repeat(head.length - 2)}`);
      continue;
    }
    const ms = median(r.times);
    const s = ms / 1000;
    const ratio = r.nativeMs ? `${(ms / r.nativeMs).toFixed(ms / r.nativeMs >= 10 ? 0 : 2)}×` : 'n/a';
    lines.push(
      `| ${r.scenario} | ${r.impl} | ${num(ms, 2)} (${num(Math.min(...r.times), 2)}–${num(Math.max(...r.times), 2)}) | ` +
        `${si(r.packets / s)} | ${num(r.bytes / 1e6 / s)} | ${num(r.mediaSeconds / s, 0)} | ${ratio} | ` +
        `${r.rss ? num(median(r.rss) / MB) : r.rssText ?? 'n/a'} | ${r.heap ? num(median(r.heap) / MB) : 'n/a'} | ${r.outBytes ?? 'n/a'} |`,
    );
  }
  return lines.join('\n');
}
