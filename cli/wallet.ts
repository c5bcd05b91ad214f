// polyhouse wallet <address>: fetch one wallet's positions now, store the snapshot, print them.
import type { Command } from 'commander'
import { resolveHttpConfig } from '../extract/http/config.ts'
import { runQuery } from '../load/query.ts'
import { fetchWalletNow } from '../steps/on-demand.ts'
import { withOnDemand } from './market.ts'

export function registerWallet(program: Command): void {
  program
    .command('wallet')
    .description("fetch one wallet's positions from the Data API now, store them and print them")
    .argument('<address>', '0x wallet address')
    .option('--data-api-url <url>', 'Data API (env DATA_API_URL)')
    .option('-f, --format <format>', 'table | json | csv | tsv', 'table')
    .action(async (address: string, flags: { dataApiUrl?: string; format: string }, command: Command) => {
      const http = resolveHttpConfig(flags)
      await withOnDemand(command, 'wallet', http, async (context, client) => {
        await fetchWalletNow(context, { http: client, dataApiUrl: http.dataApiUrl }, address)
        const output = await runQuery(
          context.warehouse,
          `SELECT toString(p.token_id) AS token_id, p.outcome, p.size, p.avg_price, p.cur_price, p.cash_pnl, p.title
           FROM positions AS p FINAL
           INNER JOIN (SELECT wallet, positions_snapshot_at FROM wallets FINAL) AS w ON p.wallet = w.wallet
           WHERE p.wallet = {wallet:String} AND p.snapshot_at >= w.positions_snapshot_at
           ORDER BY p.size DESC`,
          [`wallet=${address.toLowerCase()}`],
          flags.format,
        )
        process.stdout.write(output)
      })
    })
}
