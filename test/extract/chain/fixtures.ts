// Loads the real Polygon logs from test/fixtures/polymarket/chain/ (see SOURCES.md there).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
export const CHAIN_FIXTURES_DIR = path.resolve(here, '../../fixtures/polymarket/chain')

export interface FixtureLog {
  address: string
  topics: string[]
  data: string
  blockNumber: string
  transactionHash: string
  transactionIndex?: string
  blockHash?: string
  blockTimestamp?: string
  logIndex?: string
  removed: boolean
}

export function loadChainFixture(name: string): FixtureLog {
  return JSON.parse(readFileSync(path.join(CHAIN_FIXTURES_DIR, name), 'utf8')) as FixtureLog
}

export const fixtures = {
  orderFilledV1: () => loadChainFixture('vike_orderfilled_v1_log.json'),
  orderFilledV2: () => loadChainFixture('vike_orderfilled_v2_log.json'),
  transferSingle: () => loadChainFixture('vike_ctf_transfersingle_log.json'),
  transferBatch: () => loadChainFixture('vike_ctf_transferbatch_log.json'),
  positionsConverted: () => loadChainFixture('vike_negrisk_positionsconverted_log.json'),
}

/** The i-th 32-byte word of a log's data, as a bigint (sliced by hand, no ABI library). */
export function word(data: string, index: number): bigint {
  const hex = data.slice(2 + index * 64, 2 + (index + 1) * 64)
  if (hex.length !== 64) throw new Error(`data has no word ${index}`)
  return BigInt(`0x${hex}`)
}

/** The i-th 32-byte word as 0x-prefixed hex. */
export function wordHex(data: string, index: number): string {
  return `0x${data.slice(2 + index * 64, 2 + (index + 1) * 64)}`
}

/** An indexed address topic → its low 20 bytes, lower-case. */
export function topicAddress(topic: string): string {
  return `0x${topic.slice(-40)}`.toLowerCase()
}
