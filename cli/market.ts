// polyhouse market <gamma id | slug | condition id>: fetch one market now, store it, print it.
import type { Command } from 'commander'
import { CheckpointStore } from '../checkpoints/store.ts'
import { createHttpClient, type HttpClient } from '../extract/http/client.ts'
import { type HttpConfig, resolveHttpConfig } from '../extract/http/config.ts'
import { RunLog } from '../load/run-log.ts'
import type { Warehouse } from '../load/warehouse.ts'
import { fetchMarketNow, parseMarketKey } from '../steps/on-demand.ts'
import type { StepContext } from '../steps/step.ts'
import { type WarehouseTarget, warehouseTarget, withWarehouse } from './context.ts'
import { gammaUrlOption } from './options.ts'

export function registerMarket(program: Command): void {
  program
    .command('market')
    .description('fetch one market from Gamma now, store it and print it')
    .argument('<market>', 'Gamma id, slug or condition id')
    .addOption(gammaUrlOption())
    .option('--json', 'print the stored row as JSON')
    .action(async (text: string, flags: { gammaUrl?: string; json?: boolean }, command: Command) => {
      const key = parseMarketKey(text)
      const http = resolveHttpConfig(flags)
      await withOnDemand(warehouseTarget(command), 'market', http, async (context, client) => {
        const { market } = await fetchMarketNow(context, { http: client, gammaUrl: http.gammaUrl }, key)
        const [row] = await context.warehouse.query(
          `SELECT toString(market_id) AS id, condition_id, slug, question, outcomes, outcome_prices,
                  arrayMap(t -> toString(t), clob_token_ids) AS clob_token_ids, toString(event_id) AS event_id,
                  event_title, active, closed, volume, liquidity
           FROM vw_markets WHERE market_id = {market:UInt64}`,
          { market: Number(market.id) },
        )
        process.stdout.write(
          flags.json ? `${JSON.stringify(row, null, 2)}\n` : describeMarket(row as Record<string, unknown>),
        )
      })
    })
}

function describeMarket(row: Record<string, unknown>): string {
  const outcomes = (row.outcomes as string[]) ?? []
  const prices = (row.outcome_prices as string[]) ?? []
  const tokens = (row.clob_token_ids as string[]) ?? []
  const lines = [
    `${row.question} (market ${row.id}${row.closed ? ', closed' : ''})`,
    `  slug ${row.slug}, condition ${row.condition_id || '(not deployed)'}`,
    `  event ${row.event_id === '0' ? '(standalone)' : `${row.event_id}: ${row.event_title}`}`,
    `  volume ${row.volume} USDC, liquidity ${row.liquidity} USDC`,
    ...outcomes.map(
      (outcome, i) =>
        `  ${outcome.padEnd(12)} ${String(prices[i] ?? '').padEnd(10)} token ${tokens[i] ?? '-'}`,
    ),
  ]
  return `${lines.join('\n')}\n`
}

/** A step context for a one-off fetch: a run row, the shared HTTP client, nothing to report. */
export async function withOnDemand(
  target: WarehouseTarget,
  name: string,
  http: HttpConfig,
  work: (context: StepContext, client: HttpClient) => Promise<void>,
): Promise<void> {
  const client = createHttpClient({ rateLimits: http.rateLimits, maxPauseMs: http.maxPauseMs })
  try {
    await withWarehouse(target, async (warehouse: Warehouse) => {
      const runLog = new RunLog(warehouse, name, process.argv.slice(2))
      const context: StepContext = {
        warehouse,
        checkpoints: new CheckpointStore(warehouse, runLog.runId),
        runLog,
        signal: new AbortController().signal,
        reporter: { update: () => {}, note: () => {} },
      }
      await runLog.start()
      try {
        await work(context, client)
        await runLog.finish('succeeded')
      } catch (error) {
        await runLog.finish('failed', (error as Error).message ?? String(error))
        throw error
      }
    })
  } finally {
    await client.close()
  }
}
