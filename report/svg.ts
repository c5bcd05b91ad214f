// Small inline-SVG charts for the HTML report: horizontal bars, time lines with shaded spans, and a
// strip of done/missing block ranges. Pure functions from numbers to markup; text is escaped.

export const COLORS = {
  markets: '#2f6fdf',
  chain: '#8e44ad',
  transfers: '#c2185b',
  wallets: '#1f9d6b',
  views: '#d68910',
  other: '#7f8c8d',
  missing: '#e74c3c',
  grid: '#e3e6ea',
  ink: '#2c3e50',
} as const

export function colorOf(step: string): string {
  return (COLORS as Record<string, string>)[step] ?? COLORS.other
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

const n = (value: number) => value.toLocaleString('en-US')

/** One horizontal bar per item, longest first as given, with its value at the end. */
export function barChart(
  items: readonly { label: string; value: number; color: string; note?: string }[],
  options: { width?: number; empty: string },
): string {
  if (items.length === 0 || items.every((item) => item.value === 0)) return placeholder(options.empty)
  const width = options.width ?? 760
  const labelWidth = 210
  const row = 26
  const max = Math.max(...items.map((item) => item.value))
  const barSpace = width - labelWidth - 120
  const bars = items.map((item, i) => {
    const y = i * row + 6
    const length = max === 0 ? 0 : Math.max(item.value > 0 ? 2 : 0, (item.value / max) * barSpace)
    return [
      `<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end" class="label">${escapeXml(item.label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${row - 8}" rx="3" fill="${item.color}"/>`,
      `<text x="${(labelWidth + length + 6).toFixed(1)}" y="${y + 14}" class="value">${n(item.value)}${item.note ? ` ${escapeXml(item.note)}` : ''}</text>`,
    ].join('')
  })
  return svg(width, items.length * row + 10, bars.join(''))
}

export interface Series {
  name: string
  color: string
  points: readonly { x: number; y: number }[]
}

/** Lines over time (x in ms since epoch), with optional shaded spans (a step's run) behind them. */
export function timeChart(
  series: readonly Series[],
  options: {
    width?: number
    height?: number
    yLabel: string
    empty: string
    spans?: readonly { from: number; to: number; color: string; label: string }[]
    area?: boolean
  },
): string {
  const drawn = series.filter((entry) => entry.points.length > 0)
  if (drawn.length === 0) return placeholder(options.empty)
  const width = options.width ?? 760
  const height = options.height ?? 260
  const pad = { left: 70, right: 16, top: 22, bottom: 34 }
  const xs = [
    ...drawn.flatMap((entry) => entry.points.map((point) => point.x)),
    ...(options.spans ?? []).flatMap((span) => [span.from, span.to]),
  ]
  let x0 = Math.min(...xs)
  let x1 = Math.max(...xs)
  if (x1 === x0) {
    x0 -= 1_000
    x1 += 1_000
  }
  const y1 = niceCeiling(Math.max(1, ...drawn.flatMap((entry) => entry.points.map((point) => point.y))))
  const px = (x: number) => pad.left + ((x - x0) / (x1 - x0)) * (width - pad.left - pad.right)
  const py = (y: number) => height - pad.bottom - (y / y1) * (height - pad.top - pad.bottom)
  const parts: string[] = []
  for (const span of options.spans ?? []) {
    const left = px(span.from)
    const right = Math.max(left + 2, px(span.to))
    parts.push(
      `<rect x="${left.toFixed(1)}" y="${pad.top}" width="${(right - left).toFixed(1)}" height="${height - pad.top - pad.bottom}" fill="${span.color}" opacity="0.12"/>`,
      `<text x="${(left + 4).toFixed(1)}" y="${height - pad.bottom - 6}" class="small">${escapeXml(span.label)}</text>`,
    )
  }
  for (let i = 0; i <= 4; i++) {
    const y = (y1 * i) / 4
    parts.push(
      `<line x1="${pad.left}" x2="${width - pad.right}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="${COLORS.grid}"/>`,
      `<text x="${pad.left - 6}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end" class="small">${compact(y)}</text>`,
    )
  }
  for (const [x, anchor] of [
    [x0, 'start'],
    [(x0 + x1) / 2, 'middle'],
    [x1, 'end'],
  ] as const) {
    parts.push(
      `<text x="${px(x).toFixed(1)}" y="${height - 12}" text-anchor="${anchor}" class="small">${clock(x)}</text>`,
    )
  }
  for (const entry of drawn) {
    const path = entry.points.map((point) => `${px(point.x).toFixed(1)},${py(point.y).toFixed(1)}`)
    if (entry.points.length === 1)
      path.push(`${(px(entry.points[0]?.x ?? x0) + 3).toFixed(1)},${path[0]?.split(',')[1]}`)
    if (options.area) {
      const first = path[0]?.split(',')[0]
      const last = path[path.length - 1]?.split(',')[0]
      parts.push(
        `<polygon points="${first},${py(0)} ${path.join(' ')} ${last},${py(0)}" fill="${entry.color}" opacity="0.25"/>`,
      )
    }
    parts.push(
      `<polyline points="${path.join(' ')}" fill="none" stroke="${entry.color}" stroke-width="2.5" stroke-linejoin="round"/>`,
    )
  }
  parts.push(
    `<text x="12" y="${pad.top - 8}" class="small">${escapeXml(options.yLabel)}</text>`,
    ...drawn.map(
      (entry, i) =>
        `<rect x="${width - pad.right - 140}" y="${pad.top + 4 + i * 16}" width="10" height="10" fill="${entry.color}"/>` +
        `<text x="${width - pad.right - 124}" y="${pad.top + 13 + i * 16}" class="small">${escapeXml(entry.name)}</text>`,
    ),
  )
  return svg(width, height, parts.join(''))
}

/** The block span as one strip: done ranges coloured, missing ones red. */
export function coverageStrip(
  span: { from: number; to: number },
  done: readonly { from: number; to: number }[],
  options: { width?: number; empty: string },
): string {
  if (span.to < span.from || done.length === 0) return placeholder(options.empty)
  const width = options.width ?? 760
  const left = 10
  const inner = width - 2 * left
  const total = span.to - span.from + 1
  const px = (block: number) => left + ((block - span.from) / total) * inner
  const parts = [`<rect x="${left}" y="10" width="${inner}" height="34" fill="${COLORS.missing}" rx="3"/>`]
  for (const range of done) {
    const from = Math.max(range.from, span.from)
    const to = Math.min(range.to, span.to)
    if (to < from) continue
    const x = px(from)
    parts.push(
      `<rect x="${x.toFixed(2)}" y="10" width="${Math.max(0.5, px(to + 1) - x).toFixed(2)}" height="34" fill="${COLORS.chain}"/>`,
    )
  }
  parts.push(
    `<text x="${left}" y="62" class="small">${n(span.from)}</text>`,
    `<text x="${width - left}" y="62" text-anchor="end" class="small">${n(span.to)}</text>`,
  )
  return svg(width, 70, parts.join(''))
}

function placeholder(text: string): string {
  return `<div class="empty">${escapeXml(text)}</div>`
}

function svg(width: number, height: number, body: string): string {
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">${body}</svg>`
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above `value`: axis ticks at quarters stay round. */
function niceCeiling(value: number): number {
  const scale = 10 ** Math.floor(Math.log10(value))
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * scale >= value) ?? 10
  return step * scale
}

function compact(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(value >= 1e7 ? 0 : 1)}M`
  if (value >= 1e3) return `${(value / 1e3).toFixed(value >= 1e4 ? 0 : 1)}k`
  return value % 1 === 0 ? String(value) : value.toFixed(1)
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19)
}
