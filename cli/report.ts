// polyhouse report --html FILE: the run as one self-contained HTML page. The work is report/.
import fs from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { parseDuration } from '../core/duration.ts'
import { UsageError } from '../core/errors.ts'
import { resolveHttpConfig } from '../extract/http/config.ts'
import type { RateLimit } from '../extract/http/rates.ts'
import { collectReportData } from '../report/data.ts'
import { renderReport } from '../report/html.ts'
import { collectPipelineStatus } from '../steps/status.ts'
import { readChainTip } from '../steps/tip.ts'
import { sqlDirs, withWarehouse } from './context.ts'
import { DEFAULT_STALE } from './status.ts'

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the run as one self-contained HTML page: coverage, rows, throughput, errors')
    .requiredOption('--html <file>', 'the page to write')
    .option('--stale <duration>', 'wallets fetched longer ago than this are stale', DEFAULT_STALE)
    .option(
      '--rpc-url <url>',
      'Polygon JSON-RPC, to measure block coverage up to the tip (env POLYGON_RPC_URL)',
    )
    .action(async (flags: { html: string; stale: string; rpcUrl?: string }, command: Command) => {
      const staleAfterMs = parseDuration(flags.stale, '--stale')
      const file = path.resolve(flags.html)
      if (!fs.existsSync(path.dirname(file))) {
        throw new UsageError(`--html ${flags.html}: the folder ${path.dirname(file)} does not exist`, {
          hint: 'create it, or write the page elsewhere',
        })
      }
      const tip = await readChainTip(flags.rpcUrl || process.env.POLYGON_RPC_URL || undefined)
      const html = await withWarehouse(command, async (warehouse) => {
        const status = await collectPipelineStatus(warehouse, {
          dirs: sqlDirs(command),
          staleAfterMs,
          tip,
          positionsRate: resolveHttpConfig().rateLimits['data-api-positions'] as RateLimit,
        })
        return renderReport(await collectReportData(warehouse, status))
      })
      // Written beside its final name and renamed: a reader never sees half a page.
      const partial = `${file}.${process.pid}.partial`
      fs.writeFileSync(partial, html)
      fs.renameSync(partial, file)
      process.stdout.write(`wrote ${file} (${Math.ceil(Buffer.byteLength(html) / 1024)} KB)\n`)
    })
}
