// `polyhouse status` as text: the morning read, most important first — the last run, then each
// step's progress, errors, quarantine and orphans, then the warehouse itself.
import { formatDuration } from '../core/duration.ts'
import { MAX_RANGE_BLOCKS } from '../extract/chain/adaptive-range.ts'
import type { RpcEndpointsReport } from '../load/rpc-endpoint-status.ts'
import { clickhouseTimeMs, type RunSummary } from '../load/run-status.ts'
import type { ChainStatus, PipelineStatus } from '../steps/status.ts'

const n = (value: number) => value.toLocaleString('en-US')
/** Step names in a column as wide as the longest ("transfers") and a space: `  transfers 12.50% …`. */
const STEP_COLUMN = 'transfers'.length + 1
const label = (step: string) => `  ${step.padEnd(STEP_COLUMN)}`
/** Lines continuing a step's, under its figures. */
const MORE = ' '.repeat(2 + STEP_COLUMN)

export function formatPipelineStatus(status: PipelineStatus): string {
  const lines = [
    `warehouse: ${status.warehouse.kind} ${status.warehouse.location} (ClickHouse ${status.warehouse.version})`,
  ]
  const { migrations } = status
  lines.push(
    `migrations: ${migrations.applied} applied, ${migrations.pending.length} pending${
      migrations.failed.length ? `, ${migrations.failed.length} FAILED` : ''
    }`,
  )
  for (const failure of migrations.failed) {
    lines.push(`  ${failure.name} stopped at statement ${failure.statement}: ${failure.error}`)
  }
  lines.push(...lastRun(status.lastRun))

  const { markets, chain, wallets, views } = status.steps
  lines.push('steps:')
  lines.push(
    `${label('markets')}${markets.partitions.done}/${markets.partitions.total} keyset partitions walked` +
      `${markets.partitions.walking ? ` (${markets.partitions.walking} part-way)` : ''}` +
      ` · ${n(markets.markets)} markets, ${n(markets.events)} events, ${n(markets.tokens)} tokens` +
      ` · ${markets.orphans ? `${n(markets.orphans)} ORPHANS` : 'no orphans'}` +
      `${markets.missingTokens ? ` · ${n(markets.missingTokens)} MISSING TOKENS (polyhouse gaps)` : ''}` +
      `${markets.closingOnly.markets || markets.closingOnly.events ? ` · ${n(markets.closingOnly.markets)} markets and ${n(markets.closingOnly.events)} events without a startDate (reached by the closing pass only)` : ''}` +
      `${markets.unlisted ? ` · ${n(markets.unlisted)} TOKENS TRADED OR HELD THAT GAMMA NEVER LISTED (polyhouse gaps)` : ''}`,
  )
  const rows = (table: string) => status.tables.find((entry) => entry.name === table)?.rows ?? 0
  lines.push(...chainLines('chain', chain, `${n(rows('chain_fills'))} fills in chain_fills`))
  lines.push(
    ...chainLines(
      'transfers',
      status.steps.transfers,
      `${n(rows('chain_transfers'))} rows in chain_transfers`,
    ),
  )
  lines.push(
    ...chainLines('activity', status.steps.activity, `${n(rows('chain_activity'))} rows in chain_activity`),
    ...chainLines('amm', status.steps.amm, `${n(rows('amm_events'))} AMM-era logs in amm_events`),
    ...chainLines(
      'owners',
      status.steps.owners,
      `${n(rows('wallet_owners'))} rows in wallet_owners (proxy wallets and Safes with their owner)`,
    ),
  )
  lines.push(
    `${label('wallets')}${n(wallets.fetched)}/${n(wallets.known + wallets.unseenOnChain)} fetched` +
      ` · ${n(wallets.neverFetched)} never fetched, ${n(wallets.unseenOnChain)} seen on chain and not queued` +
      ` · ${n(wallets.stale)} older than ${formatDuration(wallets.staleAfterMs)}`,
  )
  if (wallets.oldestSnapshot) {
    lines.push(`${MORE}snapshots from ${wallets.oldestSnapshot} to ${wallets.newestSnapshot} UTC`)
  }
  lines.push(
    wallets.remaining > 0
      ? `${MORE}${n(wallets.remaining)} to fetch: at least ${formatDuration(wallets.etaSeconds * 1000)} at ${wallets.requestsPerSecond}/s (one request a wallet, more for wallets with over 500 positions)`
      : `${MORE}none left to fetch`,
  )
  lines.push(`${label('views')}${views.applied}/${views.total} applied`)
  lines.push(...endpointLines(status.rpcEndpoints))

  lines.push(`errors (${status.errors.scope}): ${status.errors.total ? n(status.errors.total) : 'none'}`)
  for (const group of status.errors.groups) {
    lines.push(`  ${group.stream} ${group.kind} ×${n(group.count)}, last at ${group.lastAt}`)
    for (const sample of group.samples) lines.push(`    ${sample.unit}: ${oneLine(sample.message)}`)
  }
  const quarantined = status.quarantine.filter((entry) => entry.records > 0)
  lines.push(
    `quarantined: ${
      quarantined.length
        ? quarantined
            .map(
              (entry) =>
                `${entry.stream} ${n(entry.records)}${entry.lastRun ? ` (${n(entry.lastRun)} by the last run)` : ''}`,
            )
            .join(', ')
        : 'none'
    }`,
  )
  const { orphans } = status
  lines.push(
    `orphan markets: ${
      orphans.count
        ? `${n(orphans.count)} — ${Object.entries(orphans.byReason)
            .map(([reason, count]) => `${n(count)} ${reason}`)
            .join('; ')}`
        : 'none'
    }`,
  )
  for (const orphan of orphans.markets) {
    lines.push(`  market ${orphan.market_id} (event ${orphan.event_id}): ${orphan.reason}`)
  }
  if (orphans.count > orphans.markets.length) {
    lines.push(`  … and ${n(orphans.count - orphans.markets.length)} more (polyhouse gaps --json lists all)`)
  }

  lines.push('tables:')
  const width = Math.max(...status.tables.map((table) => table.name.length), 5)
  for (const table of status.tables) {
    lines.push(`  ${table.name.padEnd(width)}  ${n(table.rows).padStart(14)} rows`)
  }
  lines.push('views:')
  for (const view of status.views)
    lines.push(`  ${view.name}: ${view.state}${view.error ? ` — ${view.error}` : ''}`)
  if (status.runs.length > 1) {
    lines.push('recent runs:')
    for (const run of status.runs) lines.push(`  ${runLine(run)}`)
  }
  return `${lines.join('\n')}\n`
}

function lastRun(run: RunSummary | null): string[] {
  if (!run) return ['last run: none yet (polyhouse backfill starts one)']
  const lines = [`last run: ${runLine(run)}`]
  const counts = Object.entries(run.counts)
  if (counts.length)
    lines.push(`  counts: ${counts.map(([name, value]) => `${name} ${n(value)}`).join(', ')}`)
  if (run.error) lines.push(`  error: ${oneLine(run.error)}`)
  if (run.status === 'running' && run.alive === false) {
    lines.push(
      `  its process (pid ${run.pid}) is gone: it was killed before it could record how it ended; run the same command to resume`,
    )
  }
  return lines
}

function runLine(run: RunSummary): string {
  const state =
    run.status === 'running' ? (run.alive === false ? 'running? (process gone)' : 'RUNNING') : run.status
  const timing = run.finishedAt
    ? `took ${formatDuration(clickhouseTimeMs(run.finishedAt) - clickhouseTimeMs(run.startedAt))}`
    : `${formatDuration(clickhouseTimeMs(run.updatedAt) - clickhouseTimeMs(run.startedAt))} in at its last progress (${run.updatedAt} UTC)`
  return `${run.command} ${state} · started ${run.startedAt} UTC, ${timing} · run ${run.runId}${
    run.arguments ? ` · ${run.arguments}` : ''
  }`
}

function chainLines(
  step: 'chain' | 'transfers' | 'activity' | 'amm' | 'owners',
  chain: ChainStatus,
  rows: string,
): string[] {
  const tip = chain.tip.known
    ? `to the tip ${n(chain.tip.tip)} − ${chain.tip.confirmations} confirmations`
    : `to the highest block done; blocks above it are not counted (tip unknown: ${chain.tip.reason})`
  if (!chain.started) {
    return [
      `${label(step)}not started: no block range recorded${chain.tip.known ? ` (${n(chain.blocks)} blocks to fetch)` : ''}`,
    ]
  }
  const lines = [
    `${label(step)}${(chain.fraction * 100).toFixed(2)}% of blocks ${n(chain.from)}–${n(chain.to)} done (${n(chain.covered)}/${n(chain.blocks)}), ${tip}`,
    `${MORE}${chain.gapCount ? `${plural(chain.gapCount, 'gap')}, ${n(chain.missingBlocks)} blocks missing` : 'no gaps'} · ${rows}`,
  ]
  for (const gap of chain.gaps)
    lines.push(`${MORE}missing ${n(gap.from)}–${n(gap.to)} (${n(gap.to - gap.from + 1)} blocks)`)
  if (chain.gapCount > chain.gaps.length)
    lines.push(`${MORE}… and ${n(chain.gapCount - chain.gaps.length)} more (polyhouse gaps)`)
  return lines
}

/** One line per endpoint and stream: state, throughput and share, ranges, errors, learned range size. */
function endpointLines(report: RpcEndpointsReport): string[] {
  if (report.endpoints.length === 0) return []
  const lines = [`rpc endpoints (run ${report.runId}):`]
  const width = Math.max(...report.endpoints.map((entry) => entry.endpoint.length))
  for (const entry of report.endpoints) {
    const step =
      entry.stream === 'chain_transfers'
        ? 'transfers'
        : entry.stream === 'chain_fills'
          ? 'chain'
          : entry.stream
    const errors =
      entry.failedRequests || entry.failedRanges
        ? `${n(entry.failedRequests)} failed requests, ${n(entry.failedRanges)} failed ranges (${n(entry.handedOff)} handed to another endpoint)`
        : 'no errors'
    lines.push(
      `  ${step.padEnd(9)} ${entry.endpoint.padEnd(width)}  ${entry.state.padEnd(7)} ${n(Math.round(entry.logsPerSecond))} logs/s (${(entry.share * 100).toFixed(0)}% of logs)` +
        ` · ${n(entry.ranges)} ranges · ${errors}${entry.rateLimited ? ` · ${n(entry.rateLimited)} rate-limited` : ''}` +
        ` · ranges of ${n(entry.rangeBlocks)} blocks${entry.rangeCap < MAX_RANGE_BLOCKS ? ` (cap ${n(entry.rangeCap)})` : ''} · head ${n(entry.head)}`,
    )
    if (entry.lastError) lines.push(`            last error: ${oneLine(entry.lastError)}`)
  }
  return lines
}

function plural(count: number, noun: string): string {
  return `${n(count)} ${noun}${count === 1 ? '' : 's'}`
}

function oneLine(text: string): string {
  const line = text.split('\n')[0] ?? ''
  return line.length > 160 ? `${line.slice(0, 157)}…` : line
}
