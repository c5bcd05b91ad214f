// polyhouse repair [--overwrite] [--verify]: fetch exactly what `gaps` (`gaps --verify`) lists. The
// work is steps/repair.ts.
import type { Command } from 'commander'
import { CheckpointStore } from '../checkpoints/store.ts'
import { InterruptedError, PolyhouseError, UsageError } from '../core/errors.ts'
import { createHttpClient } from '../extract/http/client.ts'
import { resolveHttpConfig } from '../extract/http/config.ts'
import { RunLog } from '../load/run-log.ts'
import { resolveChainOptions } from '../steps/chain/options.ts'
import { collectGaps, type Gaps, isEmpty } from '../steps/gaps.ts'
import {
  REPAIR_KINDS,
  type RepairKind,
  type RepairOutcome,
  repairGaps,
  streamRepairs,
} from '../steps/repair.ts'
import type { StepContext } from '../steps/step.ts'
import { readChainTip } from '../steps/tip.ts'
import { withWarehouse } from './context.ts'
import { formatGaps } from './gaps.ts'

/** Failed units printed at the end; the rest are in etl_errors. */
const FAILURES_LISTED = 10

interface RepairFlags {
  overwrite?: boolean
  verify?: boolean
  only?: string
  rpcUrl?: string
  gammaUrl?: string
  dataApiUrl?: string
  dataApi: string
  rate?: string
}

export function registerRepair(program: Command): void {
  program
    .command('repair')
    .description('fetch exactly what `polyhouse gaps` lists: missing block ranges, markets, wallets')
    .option('--overwrite', 're-fetch and replace what exists (default: keep it, add only what is missing)')
    .option(
      '--verify',
      'also fetch again the done units whose data no longer matches what was committed (gaps --verify)',
    )
    .option('--only <kinds>', `only these kinds, comma-separated: ${REPAIR_KINDS.join(', ')}`)
    .option('--rpc-url <url>', 'Polygon JSON-RPC, for block gaps (env POLYGON_RPC_URL)')
    .option('--gamma-url <url>', 'Gamma API (env GAMMA_URL)')
    .option('--data-api-url <url>', 'Data API (env DATA_API_URL)')
    .option('--data-api <version>', 'v1 (offset pages) or v2 (cursor pages)', 'v1')
    .option('--rate <spec>', 'rate limits, e.g. data-api=10/s,gamma=300/10s,rpc=25/s (env POLYHOUSE_RATE)')
    .action(async (flags: RepairFlags, command: Command) => {
      const kinds = parseKinds(flags.only)
      if (flags.dataApi !== 'v1' && flags.dataApi !== 'v2') {
        throw new UsageError(`--data-api ${flags.dataApi} is not a Data API version`, {
          hint: 'use v1 or v2',
        })
      }
      const http = resolveHttpConfig(flags)
      const rpcUrl = flags.rpcUrl || process.env.POLYGON_RPC_URL || undefined
      const tip = await readChainTip(rpcUrl)
      const client = createHttpClient({ rateLimits: http.rateLimits, maxPauseMs: http.maxPauseMs })
      try {
        await withWarehouse(command, async (warehouse) => {
          const verify = flags.verify === true
          const gaps = await collectGaps(warehouse, tip, { verify })
          const ranges = kinds.has('blocks')
            ? streamRepairs(gaps).reduce(
                (sum, repair) => sum + repair.gaps.length + repair.mismatched.length,
                0,
              )
            : 0
          if (ranges > 0 && !rpcUrl) {
            throw new UsageError(
              `${ranges} block ranges are ${verify ? 'missing or no longer as committed' : 'missing'} and POLYGON_RPC_URL is not set`,
              { hint: 'give --rpc-url or POLYGON_RPC_URL, or repair the rest with --only markets,wallets' },
            )
          }
          // Each stream's span is set by steps/repair.ts from the ranges it fetches.
          const chain = ranges > 0 ? resolveChainOptions({ rpcUrl, rate: flags.rate }) : undefined
          process.stderr.write(`polyhouse: repairing ${describe(gaps, kinds)}\n`)
          const runLog = new RunLog(warehouse, 'repair', process.argv.slice(2))
          const controller = new AbortController()
          const stopWatching = watchSignals(controller)
          const context: StepContext = {
            warehouse,
            checkpoints: new CheckpointStore(warehouse, runLog.runId),
            runLog,
            signal: controller.signal,
            reporter: {
              update: () => {},
              note: (message) => process.stderr.write(`polyhouse: ${message}\n`),
            },
          }
          await runLog.start()
          let outcome: RepairOutcome
          try {
            outcome = await repairGaps(context, gaps, {
              http: client,
              gammaUrl: http.gammaUrl,
              dataApiUrl: http.dataApiUrl,
              dataApiVersion: flags.dataApi as 'v1' | 'v2',
              rateLimits: http.rateLimits,
              chain,
              overwrite: flags.overwrite === true,
              kinds,
            })
          } catch (error) {
            await runLog.finish('failed', error instanceof Error ? error.message : String(error))
            throw error
          } finally {
            stopWatching()
          }
          process.stdout.write(summary(outcome))
          if (controller.signal.aborted) {
            await runLog.finish('interrupted')
            throw new InterruptedError('interrupted: what was repaired is kept; run polyhouse repair again')
          }
          if (outcome.failures.length > 0) {
            await runLog.finish('failed', `${outcome.failures.length} failed units`)
            for (const failure of outcome.failures.slice(0, FAILURES_LISTED)) {
              process.stderr.write(`polyhouse: failed: ${failure.unit}: ${failure.error}\n`)
            }
            throw new PolyhouseError(`${outcome.failures.length} units could not be repaired`, {
              hint: 'they are in etl_errors; run polyhouse repair again',
            })
          }
          await runLog.finish('succeeded')
          const after = await collectGaps(warehouse, tip, { verify })
          process.stdout.write(isEmpty(after) ? 'gaps now: none\n' : `gaps now:\n${formatGaps(after)}`)
        })
      } finally {
        await client.close()
      }
    })
}

function parseKinds(only: string | undefined): Set<RepairKind> {
  if (!only) return new Set(REPAIR_KINDS)
  const kinds = new Set<RepairKind>()
  for (const name of only
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    if (!REPAIR_KINDS.includes(name as RepairKind)) {
      throw new UsageError(`--only: '${name}' is not something repair fetches`, {
        hint: `use ${REPAIR_KINDS.join(', ')}`,
      })
    }
    kinds.add(name as RepairKind)
  }
  return kinds
}

function describe(gaps: Gaps, kinds: ReadonlySet<RepairKind>): string {
  const parts: string[] = []
  if (kinds.has('blocks'))
    parts.push(
      `${gaps.blocks.ranges.length} block range${gaps.blocks.ranges.length === 1 ? '' : 's'} (${gaps.blocks.missingBlocks.toLocaleString('en-US')} blocks)`,
    )
  if (kinds.has('blocks') && gaps.verified) {
    for (const stream of gaps.verified.blocks)
      parts.push(`${stream.mismatched.length} done ${stream.stream} ranges that no longer match`)
  }
  if (kinds.has('markets')) {
    parts.push(`${gaps.markets.orphans.length} orphan markets`)
    parts.push(`${gaps.markets.missingTokens.length} markets missing tokens`)
    if (gaps.markets.unlisted.length > 0)
      parts.push(`${gaps.markets.unlisted.length} tokens traded or held whose market Gamma never listed`)
  }
  if (kinds.has('markets') && gaps.verified) {
    for (const keyset of gaps.verified.keyset)
      parts.push(`${keyset.mismatched.length} short ${keyset.kind} windows`)
  }
  if (kinds.has('wallets')) parts.push(`${gaps.wallets.length} wallets`)
  return parts.join(', ')
}

function summary(outcome: RepairOutcome): string {
  const { blocks, markets, wallets } = outcome
  return [
    `blocks: ${blocks.ranges} ranges (${blocks.blocks.toLocaleString('en-US')} blocks${blocks.mismatched ? `, ${blocks.mismatched} of them no longer as committed` : ''}) fetched, ${blocks.rows.toLocaleString('en-US')} rows`,
    `markets: ${markets.fetched} fetched, ${markets.unlisted} never listed before fetched by condition or token id, ${markets.tokensAdded} token rows written${markets.windowsWalked ? `, ${markets.windowsWalked} short windows walked again` : ''}; orphans ${markets.orphansBefore} → ${markets.orphansAfter}`,
    `wallets: ${wallets.fetched} fetched, ${wallets.positions.toLocaleString('en-US')} positions`,
    '',
  ].join('\n')
}

/** The first SIGINT/SIGTERM stops taking new units (in-flight ones commit); a second exits at once. */
function watchSignals(controller: AbortController): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130)
    process.stderr.write(`polyhouse: ${signal}: finishing in-flight units (send again to exit now)\n`)
    controller.abort(new InterruptedError(signal))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
