// eth_getLogs entries written straight into a byte buffer. Building ~1 KB of JSON per log as
// concatenated strings and joining them costs more than generating the fills (V8 flattens every
// rope); writing flat pieces into one Buffer serves several times more logs per second, and the
// buffer goes to the socket as is. The viem encoder writes the same bytes (rpc.test.ts checks).

import { TOPIC0 } from '../../extract/chain/contracts.ts'
import { uint256Word } from '../random.ts'
import type { Fill } from './fills.ts'
import type { ActivityLog } from './lifecycle-logs.ts'
import { dataViem, TOPIC0_V1, TOPIC0_V2, topicsViem } from './logs.ts'
import { OWNER_LOG_INDEX_BASE, OWNER_TX_INDEX_BASE, type OwnerLog } from './owners.ts'
import { CTF_ADDRESS, type OutcomeTransfer } from './transfers.ts'

/** Most responses (2K-block ranges at default scale) fit; bigger ones grow by doubling. */
const INITIAL_BYTES = 256 * 1024

/** Bytes per served log, about (fixture-shaped V1 logs are ~1,000, V2 ~1,130). */
export const LOG_BYTES_ESTIMATE = 1_100

/** Buffer's native latin1 writer: Buffer#write(…, 'latin1') wraps it with argument checks that cost 2×. */
type LatinWriter = (this: Buffer, text: string, offset: number) => number
const latin1Write: LatinWriter =
  (Buffer.prototype as unknown as { latin1Write?: LatinWriter }).latin1Write ??
  function (this: Buffer, text: string, offset: number) {
    return this.write(text, offset, 'latin1')
  }

/** A growable ASCII buffer. */
export class JsonBuffer {
  private buffer: Buffer
  length = 0

  constructor(capacity = INITIAL_BYTES) {
    this.buffer = Buffer.allocUnsafe(capacity)
  }

  /** Makes room for `bytes` more without regrowing on the way. */
  reserve(bytes: number): void {
    if (this.length + bytes > this.buffer.length) this.grow(this.length + bytes)
  }

  private grow(atLeast: number): void {
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, atLeast))
    this.buffer.copy(grown, 0, 0, this.length)
    this.buffer = grown
  }

  write(text: string): void {
    if (this.length + text.length > this.buffer.length) this.grow(this.length + text.length)
    this.length += latin1Write.call(this.buffer, text, this.length)
  }

  /** Drops everything written after `mark` (a length read earlier). */
  rewind(mark: number): void {
    this.length = mark
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length)
  }
}

/** Hex of small numbers (log and transaction indices) without Number#toString per log. */
const SMALL_HEX: string[] = Array.from({ length: 4096 }, (_, n) => `0x${n.toString(16)}`)
const quantity = (n: number) => (n < SMALL_HEX.length ? (SMALL_HEX[n] as string) : `0x${n.toString(16)}`)

export interface BlockParts {
  block: number
  /** `","blockNumber":"0x…","transactionHash":"` */
  beforeTx: string
  /** `","blockHash":"0x…","blockTimestamp":"0x…","logIndex":"` */
  afterTxIndex: string
}

export function blockParts(block: number, blockHash: string, timestamp: number): BlockParts {
  return {
    block,
    beforeTx: `","blockNumber":"0x${block.toString(16)}","transactionHash":"`,
    afterTxIndex: `","blockHash":"${blockHash}","blockTimestamp":"0x${timestamp.toString(16)}","logIndex":"`,
  }
}

/** The 64 hex digits after 24 zero bytes of an address topic. */
const ADDRESS_TOPIC = '","0x000000000000000000000000'
const ZERO_WORD = '0'.repeat(64)
/** `{"address":"<exchange>","topics":["<topic0>","` per exchange, and `","0x000…<address>` per address seen. */
const heads = new Map<string, string>()
const topics = new Map<string, string>()

function head(fill: Fill): string {
  let text = heads.get(fill.exchange)
  if (text === undefined) {
    text = `{"address":"${fill.exchange}","topics":["${fill.version === 1 ? TOPIC0_V1 : TOPIC0_V2}","`
    heads.set(fill.exchange, text)
  }
  return text
}

function addressTopic(address: string): string {
  let text = topics.get(address)
  if (text === undefined) {
    text = `${ADDRESS_TOPIC}${address.slice(2)}`
    if (topics.size > 1_000_000) topics.clear()
    topics.set(address, text)
  }
  return text
}

export function writeLog(
  out: JsonBuffer,
  fill: Fill,
  block: BlockParts,
  encoder: 'fast' | 'viem' = 'fast',
): void {
  if (encoder === 'viem') {
    out.write(`{"address":"${fill.exchange}","topics":["`)
    out.write(topicsViem(fill).join('","'))
    out.write('"],"data":"')
    out.write(dataViem(fill))
  } else {
    out.write(head(fill))
    out.write(fill.orderHash)
    out.write(addressTopic(fill.maker))
    out.write(addressTopic(fill.taker))
    out.write('"],"data":"0x')
    writeData(out, fill)
  }
  out.write(block.beforeTx)
  out.write(fill.transactionHash)
  out.write('","transactionIndex":"')
  out.write(quantity(fill.transactionIndex))
  out.write(block.afterTxIndex)
  out.write(quantity(fill.logIndex))
  out.write('","removed":false}')
}

/** dataFast, word by word into the buffer (no intermediate string). */
function writeData(out: JsonBuffer, fill: Fill): void {
  const buy = fill.side === 'BUY'
  const [making, taking] = buy ? [fill.collateral, fill.shares] : [fill.shares, fill.collateral]
  if (fill.version === 1) {
    out.write(buy ? ZERO_WORD : fill.tokenIdHex)
    out.write(buy ? fill.tokenIdHex : ZERO_WORD)
  } else {
    out.write(uint256Word(buy ? 0 : 1))
    out.write(fill.tokenIdHex)
  }
  out.write(uint256Word(making))
  out.write(uint256Word(taking))
  out.write(uint256Word(fill.fee))
  if (fill.version === 2) {
    out.write(fill.builder)
    out.write(ZERO_WORD)
  }
}

/** One log as JSON text (tests and tools); the RPC writes many into one JsonBuffer instead. */
export function logJson(fill: Fill, block: BlockParts, encoder: 'fast' | 'viem' = 'fast'): string {
  const out = new JsonBuffer()
  writeLog(out, fill, block, encoder)
  return out.bytes().toString('latin1')
}

// --- ERC-1155 transfers of ConditionalTokens (world/transfers.ts) ----------------------------------

const TRANSFER_HEADS = {
  TransferSingle: `{"address":"${CTF_ADDRESS}","topics":["${TOPIC0.transferSingle}`,
  TransferBatch: `{"address":"${CTF_ADDRESS}","topics":["${TOPIC0.transferBatch}`,
} as const

/** One TransferSingle / TransferBatch log of `fill`'s transaction, at its reserved slot. */
export function writeTransferLog(
  out: JsonBuffer,
  fill: Fill,
  transfer: OutcomeTransfer,
  tokenIdHex: (token: number) => string,
  block: BlockParts,
): void {
  out.write(TRANSFER_HEADS[transfer.event])
  out.write(addressTopic(transfer.operator))
  out.write(addressTopic(transfer.from))
  out.write(addressTopic(transfer.to))
  out.write('"],"data":"0x')
  out.write(transferData(transfer, tokenIdHex))
  out.write(block.beforeTx)
  out.write(transfer.transactionHash)
  out.write('","transactionIndex":"')
  out.write(quantity(transfer.transactionIndex))
  out.write(block.afterTxIndex)
  out.write(quantity(fill.logIndex - 3 + transfer.slot))
  out.write('","removed":false}')
}

// --- Lifecycle events: ConditionalTokens, the NegRiskAdapter, the exchanges' fees (lifecycle-logs.ts) ---

/** One lifecycle log at `logIndex` of its block. */
export function writeActivityLog(
  out: JsonBuffer,
  log: ActivityLog,
  logIndex: number,
  block: BlockParts,
): void {
  out.write('{"address":"')
  out.write(log.address)
  out.write('","topics":["')
  out.write(log.topics.join('","'))
  out.write('"],"data":"')
  out.write(log.data)
  out.write(block.beforeTx)
  out.write(log.transactionHash)
  out.write('","transactionIndex":"')
  out.write(quantity(log.transactionIndex))
  out.write(block.afterTxIndex)
  out.write(quantity(logIndex))
  out.write('","removed":false}')
}

/** The ABI encoding of the event's data: (id, value), or (uint256[] ids, uint256[] values). */
export function transferData(transfer: OutcomeTransfer, tokenIdHex: (token: number) => string): string {
  if (transfer.event === 'TransferSingle')
    return `${tokenIdHex(transfer.tokens[0] as number)}${uint256Word(transfer.amounts[0] as number)}`
  const n = transfer.tokens.length
  return [
    uint256Word(0x40),
    uint256Word(0x40 + 32 * (n + 1)),
    uint256Word(n),
    ...transfer.tokens.map(tokenIdHex),
    uint256Word(n),
    ...transfer.amounts.map(uint256Word),
  ].join('')
}

/** A wallet factory's log (world/owners.ts), in its own transaction at the end of its block. */
export function writeOwnerLog(out: JsonBuffer, log: OwnerLog, block: BlockParts): void {
  out.write(`{"address":"${log.address}","topics":["${log.topics.join('","')}"],"data":"${log.data}`)
  out.write(block.beforeTx)
  out.write(log.transactionHash)
  out.write('","transactionIndex":"')
  out.write(quantity(OWNER_TX_INDEX_BASE + log.ordinal))
  out.write(block.afterTxIndex)
  out.write(quantity(OWNER_LOG_INDEX_BASE + log.ordinal))
  out.write('","removed":false}')
}
