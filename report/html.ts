// `polyhouse report --html FILE`: one self-contained page (inline CSS and SVG, no script, no external
// asset) that shows the run at a glance — key figures, block coverage over time, rows per step,
// throughput over the run, errors by kind.
import { formatDuration } from '../core/duration.ts'
import { clickhouseTimeMs } from '../load/run-status.ts'
import type { ReportData } from './data.ts'
import { barChart, COLORS, colorOf, coverageStrip, escapeXml, timeChart } from './svg.ts'

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: ${COLORS.ink};
       background: #f6f7f9; margin: 0; padding: 24px 32px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 10px; }
.meta { color: #5d6d7e; margin: 0 0 18px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 18px; }
.card { background: #fff; border-radius: 8px; padding: 10px 16px; min-width: 130px; box-shadow: 0 1px 2px #0002;
        border-top: 4px solid var(--c); }
.card b { display: block; font-size: 20px; } .card span { color: #5d6d7e; font-size: 12px; }
section { background: #fff; border-radius: 8px; padding: 14px 18px; margin-bottom: 16px; box-shadow: 0 1px 2px #0002; }
.empty { padding: 18px; color: #7f8c8d; background: #f2f3f5; border-radius: 6px; }
svg { max-width: 100%; height: auto; display: block; }
svg .label { font-size: 13px; fill: ${COLORS.ink}; } svg .value { font-size: 12px; fill: #34495e; }
svg .small { font-size: 11px; fill: #5d6d7e; }
.status-succeeded { color: #1e8449; } .status-failed, .status-interrupted { color: #c0392b; }
.status-running { color: #b9770e; }
.note { color: #7f8c8d; font-size: 12px; margin: 6px 0 0; }`

const n = (value: number) => value.toLocaleString('en-US')

export function renderReport(data: ReportData): string {
  const { status, run } = data
  const { markets, chain, wallets } = status.steps
  const runLine = run
    ? `${escapeXml(run.command)} run <code>${escapeXml(run.runId)}</code> — <b class="status-${run.status}">${run.status}</b>, started ${escapeXml(run.startedAt)} UTC, ${
        run.finishedAt
          ? `took ${formatDuration(clickhouseTimeMs(run.finishedAt) - clickhouseTimeMs(run.startedAt))}`
          : 'not finished'
      }`
    : 'no run recorded yet'
  const cards = [
    card(
      'markets',
      n(markets.markets),
      `markets · ${markets.partitions.done}/${markets.partitions.total} partitions`,
    ),
    card(
      'chain',
      chain.started ? `${(chain.fraction * 100).toFixed(1)}%` : '—',
      chain.started ? `blocks covered · ${n(chain.gapCount)} gaps` : 'chain not started',
    ),
    card('wallets', `${n(wallets.fetched)}/${n(wallets.known + wallets.unseenOnChain)}`, 'wallets fetched'),
    card('missing', n(status.errors.total), `errors (${escapeXml(status.errors.scope)})`),
    card('views', n(status.quarantine.reduce((sum, entry) => sum + entry.records, 0)), 'records quarantined'),
    card('other', n(status.orphans.count), 'orphan markets'),
  ]
  const spans = data.jobs.map((job) => ({
    from: job.startedAt,
    to: job.endedAt,
    color: colorOf(job.kind),
    label: job.kind,
  }))
  const throughput = timeChart(
    data.throughput.map((entry) => ({
      name: `${entry.step} rows / ${formatDuration(data.bucketMs)}`,
      color: colorOf(entry.step),
      points: entry.points.map((point) => ({ x: point.at, y: point.rows })),
    })),
    {
      yLabel: `rows written per ${formatDuration(data.bucketMs)}`,
      empty: 'no rows written by this run',
      spans,
    },
  )
  const coverage = timeChart(
    [
      {
        name: 'blocks done',
        color: COLORS.chain,
        points: data.coverage.points.map((point) => ({ x: point.at, y: point.blocks })),
      },
    ],
    { yLabel: 'blocks recorded done (cumulative)', empty: 'no block range recorded yet', area: true },
  )
  const strip = coverageStrip({ from: data.coverage.from, to: data.coverage.to }, data.coverage.done, {
    empty: 'the chain step has not recorded a block range yet',
  })
  const rows = barChart(
    data.rowsPerStep.map((entry) => ({
      label: `${entry.step} · ${entry.table}`,
      value: entry.rows,
      color: colorOf(entry.step),
    })),
    { empty: 'no rows yet' },
  )
  const errors = barChart(
    data.errorsByKind.map((entry) => ({
      label: `${entry.kind} (${entry.stream})`,
      value: entry.count,
      color: COLORS.missing,
    })),
    { empty: run ? 'no errors in this run' : 'no errors recorded' },
  )
  const quarantine = barChart(
    status.quarantine.map((entry) => ({ label: entry.stream, value: entry.records, color: COLORS.views })),
    { empty: 'nothing quarantined' },
  )
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>polyhouse report</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>
<h1>polyhouse report</h1>
<p class="meta">${runLine}<br>${escapeXml(status.warehouse.kind)} warehouse ${escapeXml(status.warehouse.location)} · generated ${escapeXml(data.generatedAt)}</p>
<div class="cards">${cards.join('')}</div>
<section><h2>Block coverage</h2>${strip}
<p class="note">${
    chain.started
      ? `${n(chain.covered)} of ${n(chain.blocks)} blocks done (${n(chain.from)}–${n(chain.to)}, ${
          chain.tip.known ? `to the tip − ${chain.tip.confirmations}` : 'to the highest block done'
        }); red: ${n(chain.missingBlocks)} blocks missing in ${n(chain.gapCount)} gaps`
      : 'no chain data'
  }</p>
<h2 style="margin-top:14px">Block coverage over time</h2>${coverage}</section>
<section><h2>Rows per step</h2>${rows}</section>
<section><h2>Throughput over the run</h2>${throughput}
<p class="note">Shaded: each step's span in etl_jobs. Rows counted from each staging row's run id and ingestion time.</p></section>
<section><h2>Errors by kind</h2>${errors}<h2 style="margin-top:14px">Quarantined records by stream</h2>${quarantine}</section>
</body></html>
`
}

function card(color: string, value: string, label: string): string {
  return `<div class="card" style="--c:${colorOf(color)}"><b>${escapeXml(value)}</b><span>${label}</span></div>`
}
