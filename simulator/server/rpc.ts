// Polygon JSON-RPC: single and batch calls; eth_chainId, net_version, eth_blockNumber,
// eth_getBlockByNumber (latest / safe / finalized / earliest / hex), eth_getLogs over the four
// exchanges with the provider's caps, and a one-time reorg at the tip when the fault asks.

import { ACTIVITY_FILTER } from '../../extract/chain/activity-events.ts'
import { GSN_RELAY_HUB, SAFE_PROXY_FACTORY, TOPIC0 } from '../../extract/chain/contracts.ts'
import { PROVIDER_LIMITS, type ProviderName, type RpcError, rangeError, resultsError } from '../limits.ts'
import type { AmmEvent } from '../world/amm.ts'
import { ammEmitter, ammTopics, writeAmmLog } from '../world/amm-logs.ts'
import { CHAIN_ID } from '../world/chain.ts'
import { LOG_SLOTS_PER_FILL } from '../world/fills.ts'
import type { World } from '../world/index.ts'
import { type ActivityLog, marketLogsOf } from '../world/lifecycle-logs.ts'
import {
  type BlockParts,
  blockParts,
  JsonBuffer,
  LOG_BYTES_ESTIMATE,
  writeActivityLog,
  writeLog,
  writeOwnerLog,
  writeTransferLog,
} from '../world/log-writer.ts'
import { TOPIC0_V1, TOPIC0_V2 } from '../world/logs.ts'
import type { OwnerLog } from '../world/owners.ts'
import { CTF_ADDRESS, type OutcomeTransfer } from '../world/transfers.ts'
import type { Routed, SimRequest, SimResponse } from './route.ts'

/**
 * Blocks below the tip that `finalized`/`safe` lag (Polygon PoS milestones finalize within a few
 * blocks since Heimdall v2; 16 keeps a margin). A configured reorg deeper than this raises the lag
 * to its depth, since finalized blocks never reorg.
 */
export const FINALIZED_LAG = 16
/**
 * The simulator's own cap on one eth_getLogs reply (~165 MB of JSON), whatever the provider
 * preset: with `--rpc-limits none` a whole-chain query over 10M fills would otherwise be built in
 * memory. Answered like Infura's result cap, with "(simulator memory cap)" appended.
 */
export const SIMULATOR_MAX_LOGS = 150_000
/** Pre-sized reply buffers stop growing in one step past this (they double afterwards). */
const MAX_RESERVE_BYTES = 64 * 1024 * 1024
/** eth_getLogs with `blockHash` looks for the block this far below the tip. */
const BLOCK_HASH_SEARCH = 10_000

export interface RpcOptions {
  provider: ProviderName
  /**
   * Blocks this node's head trails the chain's (a lagging node behind a load balancer). It answers
   * eth_getLogs past its head with the logs up to its head — an empty list when the range starts
   * above it — and no error, as geth 1.10 did (ethereum/go-ethereum#24078: a node 20 blocks behind
   * answered without the logs of the blocks it lacked; ethereum/execution-apis#534), and as reth did
   * for a range wholly above its head until execution-apis#875: the answer a client must not take
   * for "no logs in those blocks".
   */
  lagBlocks?: number | undefined
  /** Depth of the one-time reorg fault (0: none). */
  reorgDepth: number
  /**
   * Whether the one-time reorg happened, shared by every endpoint over the same world: whichever
   * serves the tip's logs first triggers it, once. Each endpoint keeps its own when not given.
   */
  reorgState?: { triggered: boolean } | undefined
  encoder: 'fast' | 'viem'
}

interface Call {
  jsonrpc?: string
  id?: unknown
  method?: unknown
  params?: unknown
}

type Outcome = { result: unknown } | { error: RpcError; providerLimit?: true }

export class RpcService {
  private readonly reorgState: { triggered: boolean }
  private reorgPending = false
  /**
   * The head this node admits to (`sim.setTip`): blocks above it are not mined yet for eth_blockNumber,
   * eth_getBlockByNumber and eth_getLogs. Undefined: the whole simulated chain.
   */
  visibleTip: number | undefined

  constructor(
    private readonly world: World,
    private readonly options: RpcOptions,
    private readonly countCall: (method: string) => void,
  ) {
    this.reorgState = options.reorgState ?? { triggered: false }
  }

  route(req: SimRequest): Routed | undefined {
    if (req.method !== 'POST') return undefined
    let parsed: unknown
    try {
      parsed = JSON.parse(req.body)
    } catch {
      return {
        endpoint: 'rpc',
        buckets: ['rpc'],
        cost: 1,
        handle: () => reply({ id: null }, { error: { code: -32700, message: 'parse error' } }),
      }
    }
    const calls = Array.isArray(parsed) ? (parsed as Call[]) : [parsed as Call]
    return {
      endpoint: 'rpc',
      buckets: ['rpc'],
      cost: Math.max(1, calls.length),
      handle: () => {
        const out = new JsonBuffer()
        let limitErrors = 0
        if (Array.isArray(parsed)) out.write('[')
        for (const [i, call] of calls.entries()) {
          if (i > 0) out.write(',')
          if (this.writeCall(out, call)) limitErrors++
        }
        if (Array.isArray(parsed)) out.write(']')
        this.applyPendingReorg()
        return { status: 200, body: out.bytes(), providerLimitErrors: limitErrors }
      },
    }
  }

  /** Writes one call's reply; true when eth_getLogs was refused by the provider's caps. */
  private writeCall(out: JsonBuffer, call: Call): boolean {
    if (typeof call === 'object' && call !== null && call.method === 'eth_getLogs') {
      this.countCall('eth_getLogs')
      const mark = out.length
      out.write(`{"jsonrpc":"2.0","id":${JSON.stringify(call.id ?? null)},"result":`)
      const refusal = this.writeLogs(out, Array.isArray(call.params) ? call.params[0] : undefined)
      if (refusal === undefined) {
        out.write('}')
        return false
      }
      out.rewind(mark)
      out.write(replyText(call, refusal))
      return refusal.providerLimit === true
    }
    out.write(replyText(call, this.call(call)))
    return false
  }

  private applyPendingReorg(): void {
    if (!this.reorgPending) return
    this.reorgPending = false
    if (this.reorgState.triggered) return
    this.reorgState.triggered = true
    this.world.chain.reorg(this.options.reorgDepth)
  }

  private get tip(): number {
    const tip = this.world.chain.tip - (this.options.lagBlocks ?? 0)
    return this.visibleTip === undefined
      ? tip
      : Math.max(this.world.chain.startBlock, Math.min(tip, this.visibleTip))
  }

  private get finalized(): number {
    const chain = this.world.chain
    return Math.max(chain.startBlock, this.tip - Math.max(FINALIZED_LAG, this.options.reorgDepth))
  }

  private blockParam(value: unknown): number | RpcError {
    const tip = this.tip
    if (value === undefined || value === null || value === 'latest' || value === 'pending') return tip
    if (value === 'finalized' || value === 'safe') return this.finalized
    if (value === 'earliest') return 0
    if (typeof value === 'string' && /^0x[0-9a-fA-F]+$/.test(value)) return Number.parseInt(value, 16)
    return {
      code: -32602,
      message: `invalid argument: hex string or block tag expected, got ${JSON.stringify(value)}`,
    }
  }

  private call(call: Call): Outcome {
    if (typeof call !== 'object' || call === null || typeof call.method !== 'string') {
      return { error: { code: -32600, message: 'invalid request' } }
    }
    this.countCall(call.method)
    const params = Array.isArray(call.params) ? call.params : []
    switch (call.method) {
      case 'eth_chainId':
        return { result: `0x${CHAIN_ID.toString(16)}` }
      case 'net_version':
        return { result: String(CHAIN_ID) }
      case 'web3_clientVersion':
        return { result: 'polyhouse-simulator/1.0' }
      case 'eth_blockNumber':
        return { result: `0x${this.tip.toString(16)}` }
      case 'eth_getBlockByNumber': {
        const block = this.blockParam(params[0])
        if (typeof block !== 'number') return { error: block }
        return { result: block > this.tip || block < 0 ? null : this.blockObject(block) }
      }
      default:
        return {
          error: { code: -32601, message: `the method ${call.method} does not exist/is not available` },
        }
    }
  }

  private blockObject(block: number): Record<string, unknown> {
    const chain = this.world.chain
    const zero32 = `0x${'0'.repeat(64)}`
    return {
      number: `0x${block.toString(16)}`,
      hash: chain.blockHash(block),
      parentHash: chain.blockHash(block - 1),
      timestamp: `0x${chain.timestamp(block).toString(16)}`,
      nonce: '0x0000000000000000',
      sha3Uncles: '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347',
      logsBloom: `0x${'0'.repeat(512)}`,
      transactionsRoot: zero32,
      stateRoot: zero32,
      receiptsRoot: zero32,
      miner: '0x0000000000000000000000000000000000000000',
      difficulty: '0x1',
      extraData: '0x',
      size: '0x400',
      gasLimit: '0x1c9c380',
      gasUsed: '0x0',
      baseFeePerGas: '0x6fc23ac00',
      transactions: [],
      uncles: [],
    }
  }

  /** Writes the result array of eth_getLogs, or returns the error to answer instead. */
  private writeLogs(out: JsonBuffer, filter: unknown): { error: RpcError; providerLimit?: true } | undefined {
    const f = (filter ?? {}) as {
      fromBlock?: unknown
      toBlock?: unknown
      address?: unknown
      topics?: unknown
      blockHash?: unknown
    }
    const chain = this.world.chain
    let from: number | RpcError
    let to: number | RpcError
    if (typeof f.blockHash === 'string') {
      const wanted = f.blockHash.toLowerCase()
      let found = -1
      for (let b = this.tip; b >= Math.max(chain.startBlock, this.tip - BLOCK_HASH_SEARCH) && found < 0; b--)
        if (chain.blockHash(b) === wanted) found = b
      if (found < 0) return { error: { code: -32000, message: 'unknown block' } }
      from = found
      to = found
    } else {
      from = this.blockParam(f.fromBlock)
      to = this.blockParam(f.toBlock)
    }
    if (typeof from !== 'number') return { error: from }
    if (typeof to !== 'number') return { error: to }
    if (from > to) return { error: { code: -32602, message: 'invalid block range params' } }
    if (to > this.tip && this.options.lagBlocks) {
      // A lagging node answers what it has (see lagBlocks).
      if (from > this.tip) return writeEmpty(out)
      to = this.tip
    }
    // geth's wording (ethereum/execution-apis tests/eth_getLogs/filter-error-future-block-range.io).
    if (to > this.tip)
      return { error: { code: -32602, message: 'block range extends beyond current head block' } }
    const spanError = rangeError(this.options.provider, from, to)
    if (spanError) return { error: spanError, providerLimit: true }
    const match = logMatcher(f.address, f.topics)
    const matchTransfer = transferMatcher(f.address, f.topics)
    const matchActivity = activityMatcher(f.address, f.topics)
    const transfers = this.world.transfers
    const lifecycleLogs = this.world.lifecycleLogs
    const tokenIdHex = (token: number) => this.world.catalog.tokenIdHex(token)
    const limits = PROVIDER_LIMITS[this.options.provider]
    const capped = to - from + 1 > limits.uncappedRange
    let count = 0
    let parts: BlockParts = blockParts(-1, '', 0)
    const fills = this.world.fills
    const estimate =
      (chain.firstFillOfContentBlock(to + 1) - chain.firstFillOfContentBlock(from)) * LOG_BYTES_ESTIMATE
    out.reserve(Math.min(estimate, MAX_RESERVE_BYTES))
    out.write('[')
    // Before each log: the provider's result cap, the simulator's own cap, and the block's parts.
    const admit = (blockNumber: number): { error: RpcError; providerLimit?: true } | undefined => {
      if (capped && count === limits.maxResults) {
        return {
          error: resultsError(this.options.provider, from, Math.max(from, blockNumber - 1)),
          providerLimit: true,
        }
      }
      if (count === SIMULATOR_MAX_LOGS) {
        const fitsTo = Math.max(from, blockNumber - 1)
        const range = `[0x${from.toString(16)}, 0x${fitsTo.toString(16)}]`
        const message = `query returned more than ${SIMULATOR_MAX_LOGS} results. Try with this block range ${range}. (simulator memory cap)`
        return { error: { code: -32005, message } }
      }
      if (blockNumber !== parts.block)
        parts = blockParts(blockNumber, chain.blockHash(blockNumber), chain.timestamp(blockNumber))
      if (count > 0) out.write(',')
      count++
      return undefined
    }
    // The AMM era lies below the first fill's block (world/amm.ts), so its logs come first.
    const matchAmm = ammMatcher(f.address, f.topics)
    if (matchAmm) {
      for (const event of this.world.amm.eventsInBlocks(from, to)) {
        if (!matchAmm(event)) continue
        const refused = admit(event.blockNumber)
        if (refused) return refused
        writeAmmLog(out, event, this.world.catalog, parts)
      }
    }
    // Market-level logs (resolutions, preparations) follow the fills of their block.
    const marketBlocks = matchActivity ? this.world.lifecycle.marketBlocksServedIn(from, to) : []
    let nextMarketBlock = 0
    const marketLogsBefore = (block: number) => {
      for (; nextMarketBlock < marketBlocks.length; nextMarketBlock++) {
        const served = marketBlocks[nextMarketBlock] as number
        if (served >= block) return undefined
        const content = chain.contentBlockOf(served)
        const first =
          (chain.firstFillOfContentBlock(content + 1) - chain.firstFillOfContentBlock(content)) *
          LOG_SLOTS_PER_FILL
        for (const log of marketLogsOf(this.world.catalog, this.world.lifecycle, content, served, first)) {
          if (!matchActivity?.(log)) continue
          const refused = admit(served)
          if (refused) return refused
          writeActivityLog(out, log, log.logIndex, parts)
        }
      }
      return undefined
    }
    // Owner logs (world/owners.ts) end their block, after its market-level logs: their indexes start
    // above any fill's slots.
    const matchOwner = ownerMatcher(f.address, f.topics)
    const ownerLogs = this.world.owners.logs
    let nextOwner = matchOwner ? this.world.owners.firstAt(from) : ownerLogs.length
    const ownerLogsBefore = (block: number): { error: RpcError; providerLimit?: true } | undefined => {
      for (; nextOwner < ownerLogs.length; nextOwner++) {
        const log = ownerLogs[nextOwner] as OwnerLog
        if (log.block >= block) break
        if (!matchOwner?.(log)) continue
        const refused = admit(log.block)
        if (refused) return refused
        writeOwnerLog(out, log, parts)
      }
      return undefined
    }
    // The logs that end the blocks before `block`, block by block: market-level logs, then owner logs.
    const blockEndsBefore = (block: number) => {
      for (;;) {
        const market =
          nextMarketBlock < marketBlocks.length ? (marketBlocks[nextMarketBlock] as number) : Infinity
        const owner = nextOwner < ownerLogs.length ? (ownerLogs[nextOwner] as OwnerLog).block : Infinity
        const first = Math.min(market, owner)
        if (first >= block) return undefined
        const refused = marketLogsBefore(first + 1) ?? ownerLogsBefore(first + 1)
        if (refused) return refused
      }
    }
    // Logs in (block, log index) order: a fill's trade transfers, its OrderFilled, then its lifecycle
    // logs (world/transfers.ts, world/lifecycle-logs.ts).
    for (const fill of fills.fillsInBlocks(from, to)) {
      const before = blockEndsBefore(fill.blockNumber)
      if (before) return before
      if (!matchTransfer && !matchActivity) {
        // Fills only (the chain step's filter): nothing else to interleave.
        if (!match(fill.exchange, fill.version, fill.orderHash, fill.maker, fill.taker)) continue
        const refused = admit(fill.blockNumber)
        if (refused) return refused
        writeLog(out, fill, parts, this.options.encoder)
        continue
      }
      const lifecycle = lifecycleLogs.logsOf(fill)
      const ordered: { slot: number; transfer?: OutcomeTransfer; activity?: ActivityLog }[] = []
      if (matchTransfer) {
        for (const transfer of [...transfers.tradeTransfersOf(fill), ...lifecycle.transfers])
          if (matchTransfer(transfer)) ordered.push({ slot: transfer.slot, transfer })
      }
      if (matchActivity)
        for (const activity of lifecycle.activity)
          if (matchActivity(activity)) ordered.push({ slot: activity.slot, activity })
      if (match(fill.exchange, fill.version, fill.orderHash, fill.maker, fill.taker))
        ordered.push({ slot: ORDER_FILLED_SLOT })
      ordered.sort((a, b) => a.slot - b.slot)
      for (const entry of ordered) {
        const refused = admit(fill.blockNumber)
        if (refused) return refused
        if (entry.transfer) writeTransferLog(out, fill, entry.transfer, tokenIdHex, parts)
        else if (entry.activity)
          writeActivityLog(out, entry.activity, fill.logIndex - ORDER_FILLED_SLOT + entry.slot, parts)
        else writeLog(out, fill, parts, this.options.encoder)
      }
    }
    const after = blockEndsBefore(to + 1)
    if (after) return after
    out.write(']')
    if (this.options.reorgDepth > 0 && !this.reorgState.triggered && to > chain.tip - this.options.reorgDepth)
      this.reorgPending = true
    return undefined
  }
}

function writeEmpty(out: JsonBuffer): undefined {
  out.write('[]')
  return undefined
}

function replyText(call: Call, outcome: Outcome): string {
  const id = JSON.stringify(call?.id ?? null)
  if ('error' in outcome) return `{"jsonrpc":"2.0","id":${id},"error":${JSON.stringify(outcome.error)}}`
  return `{"jsonrpc":"2.0","id":${id},"result":${JSON.stringify(outcome.result)}}`
}

function reply(call: Call, outcome: Outcome): SimResponse {
  return { status: 200, body: replyText(call, outcome) }
}

const padTopic = (address: string) => `0x000000000000000000000000${address.slice(2)}`
/** Where a fill's OrderFilled sits among its log slots (world/fills.ts). */
const ORDER_FILLED_SLOT = 3
const ACTIVITY_ADDRESSES: readonly string[] = ACTIVITY_FILTER.address
const ACTIVITY_TOPICS: readonly string[] = ACTIVITY_FILTER.topics[0]

/** The filter as it applies to ConditionalTokens' transfers; undefined when it selects none of them. */
function transferMatcher(
  address: unknown,
  topics: unknown,
): ((transfer: OutcomeTransfer) => boolean) | undefined {
  const addresses =
    address === undefined || address === null
      ? undefined
      : new Set((Array.isArray(address) ? address : [address]).map((a) => String(a).toLowerCase()))
  if (addresses && !addresses.has(CTF_ADDRESS)) return undefined
  const positions = (Array.isArray(topics) ? topics : []).map((t) =>
    t === null || t === undefined
      ? undefined
      : new Set((Array.isArray(t) ? t : [t]).map((v) => String(v).toLowerCase())),
  )
  const [t0, t1, t2, t3] = positions
  if (t0 && !t0.has(TOPIC0.transferSingle) && !t0.has(TOPIC0.transferBatch)) return undefined
  return (transfer) =>
    (!t0 || t0.has(transfer.event === 'TransferSingle' ? TOPIC0.transferSingle : TOPIC0.transferBatch)) &&
    (!t1 || t1.has(padTopic(transfer.operator))) &&
    (!t2 || t2.has(padTopic(transfer.from))) &&
    (!t3 || t3.has(padTopic(transfer.to)))
}

/** The filter as it applies to the wallet factories' logs; undefined when it selects none of them. */
function ownerMatcher(address: unknown, topics: unknown): ((log: OwnerLog) => boolean) | undefined {
  const addresses =
    address === undefined || address === null
      ? undefined
      : new Set((Array.isArray(address) ? address : [address]).map((a) => String(a).toLowerCase()))
  if (addresses && !addresses.has(SAFE_PROXY_FACTORY) && !addresses.has(GSN_RELAY_HUB)) return undefined
  const positions = (Array.isArray(topics) ? topics : []).map((t) =>
    t === null || t === undefined
      ? undefined
      : new Set((Array.isArray(t) ? t : [t]).map((v) => String(v).toLowerCase())),
  )
  return (log) =>
    (!addresses || addresses.has(log.address)) &&
    positions.every((wanted, i) => !wanted || wanted.has(log.topics[i] ?? ''))
}

/** The filter as it applies to lifecycle logs; undefined when it selects none of them. */
function activityMatcher(address: unknown, topics: unknown): ((log: ActivityLog) => boolean) | undefined {
  const addresses =
    address === undefined || address === null
      ? undefined
      : new Set((Array.isArray(address) ? address : [address]).map((a) => String(a).toLowerCase()))
  if (addresses && !ACTIVITY_ADDRESSES.some((a) => addresses.has(a))) return undefined
  const positions = (Array.isArray(topics) ? topics : []).map((t) =>
    t === null || t === undefined
      ? undefined
      : new Set((Array.isArray(t) ? t : [t]).map((v) => String(v).toLowerCase())),
  )
  if (positions[0] && !ACTIVITY_TOPICS.some((t) => positions[0]?.has(t))) return undefined
  return (log) =>
    (!addresses || addresses.has(log.address)) &&
    positions.every((set, i) => !set || set.has(log.topics[i] as string))
}

/** The address and topic filter of eth_getLogs (each topic position: null, one value, or a list). */
function logMatcher(
  address: unknown,
  topics: unknown,
): (exchange: string, version: 1 | 2, orderHash: string, maker: string, taker: string) => boolean {
  const addresses =
    address === undefined || address === null
      ? undefined
      : new Set((Array.isArray(address) ? address : [address]).map((a) => String(a).toLowerCase()))
  const positions = (Array.isArray(topics) ? topics : []).map((t) =>
    t === null || t === undefined
      ? undefined
      : new Set((Array.isArray(t) ? t : [t]).map((v) => String(v).toLowerCase())),
  )
  const [t0, t1, t2, t3] = positions
  return (exchange, version, orderHash, maker, taker) =>
    (!addresses || addresses.has(exchange)) &&
    (!t0 || t0.has(version === 1 ? TOPIC0_V1 : TOPIC0_V2)) &&
    (!t1 || t1.has(orderHash)) &&
    (!t2 || t2.has(padTopic(maker))) &&
    (!t3 || t3.has(padTopic(taker)))
}

/** The filter as it applies to the AMM era's logs; undefined when it can select none of them. */
function ammMatcher(address: unknown, topics: unknown): ((event: AmmEvent) => boolean) | undefined {
  const addresses =
    address === undefined || address === null
      ? undefined
      : new Set((Array.isArray(address) ? address : [address]).map((a) => String(a).toLowerCase()))
  const positions = (Array.isArray(topics) ? topics : []).map((t) =>
    t === null || t === undefined
      ? undefined
      : new Set((Array.isArray(t) ? t : [t]).map((v) => String(v).toLowerCase())),
  )
  const amm = [
    TOPIC0.fpmmCreation,
    TOPIC0.fpmmBuy,
    TOPIC0.fpmmSell,
    TOPIC0.fpmmFundingAdded,
    TOPIC0.fpmmFundingRemoved,
  ]
  const t0 = positions[0]
  if (t0 && !amm.some((topic) => t0.has(topic))) return undefined
  return (event) => {
    if (addresses && addresses.size > 0 && !addresses.has(ammEmitter(event))) return false
    const eventTopics = ammTopics(event)
    return positions.every((wanted, i) => !wanted || wanted.has(eventTopics[i] ?? ''))
  }
}
