// The activity stream: lifecycle logs of ConditionalTokens and the NegRiskAdapter, and the
// exchanges' FeeCharged (extract/chain/activity-events.ts) → chain_activity. Nothing is derived from
// chain_activity by a materialized view, so a reorg clears that table alone.
import { ACTIVITY_FILTER } from '../../extract/chain/activity-events.ts'
import type { LogStream } from '../block-ranges/types.ts'
import { ActivityEncoder, CHAIN_ACTIVITY_COLUMNS } from './encode.ts'

/** etl_checkpoints / etl_quarantine stream name of the lifecycle logs (also what `status` shows). */
export const ACTIVITY_STREAM_NAME = 'chain_activity'

export const ACTIVITY_STREAM: LogStream = Object.freeze({
  stream: ACTIVITY_STREAM_NAME,
  table: 'chain_activity',
  columns: CHAIN_ACTIVITY_COLUMNS,
  format: 'TabSeparated',
  reorgTables: ['chain_activity'],
  blocksTable: 'chain_activity_blocks',
  filter: ACTIVITY_FILTER,
  encoder: () => new ActivityEncoder(),
})
