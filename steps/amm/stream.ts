// The AMM stream: the FPMM factory's creations and the FPMMs' trades and funding → amm_events. The
// filter selects by topic alone (extract/chain/contracts.ts AMM_FILTER): which emitters are
// Polymarket's market makers is decided in the views, from the factory's own creations.
import { AMM_FILTER } from '../../extract/chain/contracts.ts'
import type { LogStream } from '../block-ranges/types.ts'
import { AMM_EVENTS_COLUMNS, AmmEventEncoder } from './encode.ts'

/** etl_checkpoints / etl_quarantine stream name of the AMM era (also what `status` shows). */
export const AMM_STREAM_NAME = 'amm_events'

export const AMM_STREAM: LogStream = Object.freeze({
  stream: AMM_STREAM_NAME,
  table: 'amm_events',
  columns: AMM_EVENTS_COLUMNS,
  format: 'RowBinary',
  reorgTables: ['amm_events'],
  blocksTable: 'amm_blocks',
  filter: AMM_FILTER,
  encoder: () => new AmmEventEncoder(),
})
