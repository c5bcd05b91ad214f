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
import { readChainTip, tipRpcUrl } from '../steps/tip.ts'
import { warehouseTarget, withWarehouse } from './context.ts'
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
      const file = reportFile(flags.html)
      const rpcUrl = tipRpcUrl(flags.rpcUrl)
      const target = warehouseTarget(command)
      const tip = await readChainTip(rpcUrl)
      const html = await withWarehouse(target, async (warehouse) => {
        const status = await collectPipelineStatus(warehouse, {
          dirs: target.dirs,
          staleAfterMs,
          tip,
          positionsRate: resolveHttpConfig().rateLimits['data-api-positions'] as RateLimit,
        })
        return renderReport(await collectReportData(warehouse, status))
      })
      writeAtomically(file, html)
      process.stdout.write(`wrote ${file} (${Math.ceil(Buffer.byteLength(html) / 1024)} KB)\n`)
    })
}

/** `--html FILE` as an absolute path, refused when it could not be written as a page. */
function reportFile(html: string): string {
  const file = path.resolve(html)
  if (!fs.existsSync(path.dirname(file))) {
    throw new UsageError(`--html ${html}: the folder ${path.dirname(file)} does not exist`, {
      hint: 'create it, or write the page elsewhere',
    })
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    throw new UsageError(`--html ${html} is a directory`, {
      hint: `give the page a file name, e.g. --html ${path.join(html, 'report.html')}`,
    })
  }
  return file
}

/** Written beside its final name and renamed: a reader never sees half a page, and nothing is left behind. */
function writeAtomically(file: string, content: string): void {
  const partial = `${file}.${process.pid}.partial`
  try {
    fs.writeFileSync(partial, content)
    fs.renameSync(partial, file)
  } catch (error) {
    fs.rmSync(partial, { force: true })
    throw error
  }
}
