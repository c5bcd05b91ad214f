// polyhouse wallet <address>: fetch one wallet's positions now, store the snapshot, print them.
import type { Command } from 'commander'
import { resolveHttpConfig } from '../extract/http/config.ts'
import { checkOutputFormat, runQuery } from '../load/query.ts'
import { fetchWalletNow, parseWalletAddress } from '../steps/on-demand.ts'
import { warehouseTarget } from './context.ts'
import { withOnDemand } from './market.ts'
import { dataApiUrlOption, outputFormatOption } from './options.ts'

export function registerWallet(program: Command): void {
  program
    .command('wallet')
    .description("fetch one wallet's positions from the Data API now, store them and print them")
    .argument('<address>', '0x wallet address')
    .addOption(dataApiUrlOption())
    .addOption(outputFormatOption())
    .action(async (address: string, flags: { dataApiUrl?: string; format: string }, command: Command) => {
      const wallet = parseWalletAddress(address)
      const format = checkOutputFormat(flags.format)
      const http = resolveHttpConfig(flags)
      await withOnDemand(warehouseTarget(command), 'wallet', http, async (context, client) => {
        const positions = await fetchWalletNow(context, { http: client, dataApiUrl: http.dataApiUrl }, wallet)
        if (positions === 0 && format === 'table') {
          // An empty table says nothing to a person; the other formats stay what a program expects.
          process.stdout.write(
            `${wallet} has no positions: the Data API lists none for it (snapshot stored)\n`,
          )
          return
        }
        const output = await runQuery(
          context.warehouse,
          `SELECT toString(p.token_id) AS token_id, p.outcome, p.size, p.avg_price, p.cur_price, p.cash_pnl, p.title
           FROM positions AS p FINAL
           INNER JOIN (SELECT wallet, positions_snapshot_at FROM wallets FINAL) AS w ON p.wallet = w.wallet
           WHERE p.wallet = {wallet:String} AND p.snapshot_at >= w.positions_snapshot_at
           ORDER BY p.size DESC`,
          [`wallet=${wallet}`],
          format,
        )
        process.stdout.write(output)
      })
    })
}
