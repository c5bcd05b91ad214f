// What `status` says about the process holding an embedded warehouse: who (pid, command line), since
// when, whether it is stopping, and — when none runs — whether the last one ended or was killed
// before it could say so (a stale record). Read from the files in the data directory, never by
// opening it, so it answers also while another process holds the directory.
import type { WarehouseConfig } from '../../core/config.ts'
import { lockHolder } from '../warehouse.ts'
import { inspectOwner, type OwnerState, recordedCommand } from './record.ts'

export interface OwnerReport {
  state: OwnerState['state']
  pid?: number
  host?: string
  /** The command line, secrets redacted. */
  command?: string
  /** When it opened the warehouse (ISO 8601). */
  since?: string
  stoppingSince?: string
  stopSignal?: string
  /** ended: how it exited, when it lived to record it. */
  exitCode?: number
  endedAt?: string
}

/** The owner of an embedded warehouse; undefined for a ClickHouse server, which no process holds. */
export function ownerReport(config: WarehouseConfig): OwnerReport | undefined {
  if (config.kind !== 'embedded') return undefined
  const owner = inspectOwner(config.dataDir, lockHolder(config.dataDir))
  if (owner.state === 'none') return { state: 'none' }
  if (owner.state === 'foreign') return { state: 'foreign', pid: owner.holderPid }
  const { record } = owner
  const report: OwnerReport = {
    state: owner.state,
    pid: record.pid,
    host: record.host,
    command: recordedCommand(record),
    since: record.openedAt,
  }
  if (record.stoppingSince) {
    report.stoppingSince = record.stoppingSince
    if (record.stopSignal) report.stopSignal = record.stopSignal
  }
  if (owner.state === 'ended') {
    if (record.exitCode !== undefined) report.exitCode = record.exitCode
    const endedAt = record.exitedAt ?? record.closedAt
    if (endedAt) report.endedAt = endedAt
  }
  return report
}
