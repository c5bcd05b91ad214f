// polyhouse stop [--timeout S]: stops the process holding the embedded warehouse and says how it
// ended. The work is load/owner/stop.ts.
import type { Command } from 'commander'
import { resolveWarehouseConfig } from '../core/config.ts'
import { InterruptedError, UsageError } from '../core/errors.ts'
import { type OwnerState, recordedCommand } from '../load/owner/record.ts'
import { DEFAULT_STOP_TIMEOUT_MS, type StopOutcome, stopOwner } from '../load/owner/stop.ts'
import { globalOptions } from './context.ts'

interface StopFlags {
  timeout: string
}

export function registerStop(program: Command): void {
  program
    .command('stop')
    .description(
      'stop the process holding the embedded warehouse (SIGTERM: it commits and exits 130; SIGKILL after --timeout)',
    )
    .option(
      '--timeout <seconds>',
      'how long to wait before SIGKILL (safe: the next run resumes)',
      String(DEFAULT_STOP_TIMEOUT_MS / 1000),
    )
    .action(async (flags: StopFlags, command: Command) => {
      const timeoutS = Number(flags.timeout)
      if (flags.timeout.trim() === '' || !Number.isFinite(timeoutS) || timeoutS <= 0) {
        throw new UsageError(`--timeout ${flags.timeout} is not a number of seconds`, {
          hint: 'e.g. --timeout 30',
        })
      }
      const config = resolveWarehouseConfig(globalOptions(command))
      if (config.kind !== 'embedded') {
        throw new UsageError(
          'polyhouse stop stops the process holding an embedded warehouse, and CLICKHOUSE_URL points at a server, which no process holds',
          {
            hint: 'stop a run on its machine with kill <pid> (polyhouse status lists running runs with host and pid)',
          },
        )
      }
      const interrupted = new AbortController()
      const onSignal = () => interrupted.abort()
      process.on('SIGINT', onSignal)
      process.on('SIGTERM', onSignal)
      try {
        const outcome = await stopOwner(config.dataDir, {
          timeoutMs: timeoutS * 1000,
          signal: interrupted.signal,
          onSignalled: (record, sent) =>
            process.stderr.write(
              `polyhouse: ${sent ? 'sent SIGTERM to' : 'already stopping:'} pid ${record.pid} (${recordedCommand(record)}, since ${utc(record.openedAt)}); waiting up to ${timeoutS} s for it to commit and exit\n`,
            ),
          onKill: (record, afterMs) =>
            process.stderr.write(
              `polyhouse: pid ${record.pid} did not stop within ${seconds(afterMs)}; sending SIGKILL\n`,
            ),
        })
        process.stdout.write(`${describeOutcome(outcome, config.dataDir)}\n`)
        process.exitCode = exitCodeOf(outcome)
      } finally {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
      }
    })
}

/** 0: nothing runs now, and what ran stopped on SIGTERM; 1: it had to be killed, or could not be. */
function exitCodeOf(outcome: StopOutcome): number {
  switch (outcome.kind) {
    case 'nothing':
    case 'stopped':
      return 0
    case 'interrupted':
      return new InterruptedError('interrupted').exitCode
    default:
      return 1
  }
}

export function describeOutcome(outcome: StopOutcome, dataDir: string): string {
  switch (outcome.kind) {
    case 'nothing':
      return `nothing to stop: no process holds ${dataDir}${lastHolder(outcome.owner)}`
    case 'stopped':
      return `stopped pid ${outcome.record.pid} after ${seconds(outcome.afterMs)}: ${
        outcome.exitCode === undefined
          ? 'it ended without recording an exit code'
          : exitMeaning(outcome.exitCode)
      }`
    case 'killed':
      return `pid ${outcome.record.pid} did not stop on SIGTERM; killed with SIGKILL after ${seconds(outcome.afterMs)}. Work recorded done is kept; run the same command to resume`
    case 'unkillable':
      return `pid ${outcome.record.pid} is still there ${seconds(outcome.afterMs)} after SIGKILL: it is stuck in the system (a hung disk or mount?); it holds ${dataDir} until it ends`
    case 'interrupted':
      return `stopped waiting after ${seconds(outcome.afterMs)}; pid ${outcome.record.pid} goes on stopping (polyhouse status shows it)`
  }
}

function lastHolder(owner: OwnerState): string {
  if (owner.state === 'stale')
    return ` (the record of pid ${owner.record.pid}, ${recordedCommand(owner.record)}, is stale: that process was killed before it could close the warehouse; the same command resumes)`
  if (owner.state === 'ended') {
    const { record } = owner
    return record.exitCode === undefined
      ? ` (the last, pid ${record.pid}, ${recordedCommand(record)}, closed it at ${utc(record.closedAt ?? record.openedAt)})`
      : ` (the last, pid ${record.pid}, ${recordedCommand(record)}, exited ${record.exitCode} at ${utc(record.exitedAt ?? record.openedAt)})`
  }
  return ''
}

/** What an exit code means, in the README's terms. */
export function exitMeaning(code: number): string {
  const meaning: Record<number, string> = {
    0: 'it had finished',
    1: 'it failed (its log says why)',
    2: 'bad usage',
    130: 'interrupted; committed work is kept, the same command resumes',
  }
  return `exit code ${code}${meaning[code] ? ` (${meaning[code]})` : ''}`
}

export function utc(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
