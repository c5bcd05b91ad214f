// polyhouse gaps [--json] [--verify]: what is missing, unit by unit; `polyhouse repair` fetches it.
// The work is steps/gaps.ts (and steps/verify.ts for --verify).
import type { Command } from 'commander'
import { collectGaps, type Gaps, isEmpty } from '../steps/gaps.ts'
import { readChainTip } from '../steps/tip.ts'
import { contentChanged, type Verification, verified } from '../steps/verify.ts'
import { withWarehouse } from './context.ts'

/** Entries listed per kind in text; `--json` lists every one. */
export const GAPS_LISTED = 20

export function registerGaps(program: Command): void {
  program
    .command('gaps')
    .description(
      'list missing block ranges (grouped), orphan markets, markets missing tokens, wallets without positions',
    )
    .option('--json', 'print every gap as one JSON document')
    .option(
      '--verify',
      'also check what every done unit holds against what was recorded when it was committed: counts, and the content digest of each block range, recorded by the first --verify (reads every chain row)',
    )
    .option('--rpc-url <url>', 'Polygon JSON-RPC, to count blocks up to the tip (env POLYGON_RPC_URL)')
    .action(async (flags: { json?: boolean; verify?: boolean; rpcUrl?: string }, command: Command) => {
      const tip = await readChainTip(flags.rpcUrl || process.env.POLYGON_RPC_URL || undefined)
      const gaps = await withWarehouse(command, (warehouse) =>
        collectGaps(warehouse, tip, { verify: flags.verify === true }),
      )
      process.stdout.write(flags.json ? `${JSON.stringify(gaps, null, 2)}\n` : formatGaps(gaps))
    })
}

const n = (value: number) => value.toLocaleString('en-US')

export function formatGaps(gaps: Gaps): string {
  const lines: string[] = []
  const { blocks } = gaps
  const span = blocks.tip.known
    ? `to the tip ${n(blocks.tip.tip)} − ${blocks.tip.confirmations} confirmations`
    : `to the highest block done (tip unknown: ${blocks.tip.reason})`
  if (!blocks.started) {
    lines.push(
      'block gaps: none counted — the chain step has recorded no range yet (polyhouse backfill fetches them all)',
    )
  } else {
    lines.push(
      `block gaps (${blocks.stream}, blocks ${n(blocks.from)}–${n(blocks.to)}, ${span}): ${
        blocks.ranges.length
          ? `${n(blocks.ranges.length)} range${blocks.ranges.length === 1 ? '' : 's'}, ${n(blocks.missingBlocks)} blocks`
          : 'none'
      }`,
    )
    list(lines, blocks.ranges, (range) => `${n(range.from)}–${n(range.to)}  ${n(range.blocks)} blocks`)
  }
  const { orphans, missingTokens } = gaps.markets
  lines.push(`orphan markets: ${orphans.length ? n(orphans.length) : 'none'}`)
  list(lines, orphans, (orphan) => `market ${orphan.market_id} (event ${orphan.event_id}): ${orphan.reason}`)
  lines.push(`markets missing tokens: ${missingTokens.length ? n(missingTokens.length) : 'none'}`)
  list(
    lines,
    missingTokens,
    (market) =>
      `market ${market.market_id} (${market.condition_id}): ${market.missing} of ${market.tokens} tokens not in market_tokens`,
  )
  const { unlisted, closingOnly } = gaps.markets
  lines.push(
    `tokens seen in fills or positions that Gamma never listed: ${unlisted.length ? n(unlisted.length) : 'none'}`,
  )
  list(
    lines,
    unlisted,
    (token) =>
      `token ${token.token_id} (seen in ${token.seen_in}${token.condition_id ? `, condition ${token.condition_id}` : ''})`,
  )
  lines.push(
    `reached by the closing pass only (no startDate, no partition matches them): ${n(closingOnly.markets)} markets, ${n(closingOnly.events)} events`,
  )
  const count = (reason: string) => gaps.wallets.filter((wallet) => wallet.reason === reason).length
  lines.push(
    `wallets without positions: ${
      gaps.wallets.length
        ? `${n(gaps.wallets.length)} (${n(count('never-fetched'))} never fetched, ${n(count('unseen'))} seen on chain and not queued, ${n(count('incomplete'))} with an incomplete snapshot)`
        : 'none'
    }`,
  )
  list(lines, gaps.wallets, (wallet) =>
    wallet.reason === 'incomplete'
      ? `${wallet.wallet} incomplete: ${wallet.stored} of ${wallet.expected} positions stored`
      : `${wallet.wallet} ${wallet.reason === 'unseen' ? `seen on chain from block ${wallet.first_seen_block}, not queued` : `never fetched (${wallet.source})`}`,
  )
  if (gaps.verified) formatVerification(lines, gaps.verified)
  const mismatched = gaps.verified !== undefined && !verified(gaps.verified)
  lines.push(
    isEmpty(gaps) ? 'nothing to repair' : `fetch them with: polyhouse repair${mismatched ? ' --verify' : ''}`,
  )
  return `${lines.join('\n')}\n`
}

function formatVerification(lines: string[], verification: Verification): void {
  for (const stream of verification.blocks) {
    const unchecked = stream.unchecked
      ? ` (${n(stream.unchecked)} not counted: recorded before counts were kept, cut by a reorg, or overlapping)`
      : ''
    // Ranges committed since the last --verify: a row changed in place there went unseen this time.
    const countedOnly = stream.countedOnly
      ? `; ${n(stream.countedOnly)} of them counted only (no content digest yet: those found whole have one now)`
      : ''
    lines.push(
      `done block ranges of ${stream.stream} that no longer hold what was committed: ${
        stream.mismatched.length ? n(stream.mismatched.length) : 'none'
      } of ${n(stream.checked)} counted${unchecked}${countedOnly}`,
    )
    list(
      lines,
      stream.mismatched,
      (range) =>
        `${n(range.from)}–${n(range.to)}  ${range.tables
          .map((table) => `${table.table} ${n(table.stored)} of ${n(table.recorded)} rows`)
          .join(
            ', ',
          )}${contentChanged(range) ? `, ${stream.stream} rows changed (content digest differs)` : ''}`,
    )
  }
  for (const keyset of verification.keyset) {
    lines.push(
      `done ${keyset.kind} windows holding fewer ${keyset.kind} than their walks recorded: ${
        keyset.mismatched.length ? n(keyset.mismatched.length) : 'none'
      } of ${n(keyset.checked)} counted`,
    )
    list(
      lines,
      keyset.mismatched,
      (window) =>
        `${window.window}  ${n(window.stored)} of ${n(window.recorded)} ${keyset.kind} stored (${window.partitions.join(', ')})`,
    )
  }
}

function list<T>(lines: string[], items: readonly T[], describe: (item: T) => string): void {
  for (const item of items.slice(0, GAPS_LISTED)) lines.push(`  ${describe(item)}`)
  if (items.length > GAPS_LISTED)
    lines.push(`  … and ${n(items.length - GAPS_LISTED)} more (--json lists all)`)
}
