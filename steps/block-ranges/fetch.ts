// One block range: eth_getLogs (with the range end's header in the same batch near the tip),
// timestamps and hashes for every block that has logs, and the stream's rows as bytes — or the
// reason to shrink, retry, or quarantine. Knows no SQL.
import type { BlockRange } from '../../checkpoints/range-set.ts'
import { NonRetryableError, RetryableError } from '../../core/errors.ts'
import { LogDecodeError } from '../../extract/chain/abi.ts'
import { scanParsedLogs } from '../../extract/chain/log-scan.ts'
import { classifyGetLogsError, type GetLogsErrorClassification } from '../../extract/chain/provider-errors.ts'
import {
  type BlockHeader,
  type RpcClient,
  RpcError,
  RpcProtocolError,
  toHex,
} from '../../extract/chain/rpc.ts'
import { ScannedLogs } from '../../extract/chain/scanned-logs.ts'
import type { RowChunk } from '../../load/commit.ts'
import type { RowBuffers } from '../../load/row-buffers.ts'
import { RowWriter } from '../../load/row-writer.ts'
import type { QuarantinedRecord } from '../../load/run-log.ts'
import { type LogList, lowerHash, ObjectLogs, quantity, ScannedLogList } from './log-list.ts'
import type { LogBlock, LogEncoder, LogStream } from './types.ts'

/** Headers kept for timestamps: more than the blocks of any one range's logs, small in memory. */
const HEADER_CACHE_SIZE = 20_000

/**
 * The provider refused the range as too large (span or results): asking again for the same range
 * cannot help, a smaller one may — the engine shrinks it, and records it failed only at one block.
 */
export class RangeTooLargeError extends NonRetryableError {
  constructor(
    readonly range: BlockRange,
    readonly classification: GetLogsErrorClassification,
    options: { cause?: unknown } = {},
  ) {
    super(
      `eth_getLogs [${range.from}, ${range.to}]: ${classification.kind} (${classification.rule})`,
      options,
    )
  }
}

/** The answer contradicts itself or the chain moved under it: the same request may agree later. */
export class InconsistentAnswerError extends RetryableError {}

/**
 * Runs one RPC exchange of a range, treating an answer that is not JSON-RPC as worth retrying. The
 * endpoint already answered this run's first calls properly (eth_chainId, eth_blockNumber), so a
 * later non-JSON-RPC body is a gateway hiccup — a 5xx with `{"error":"Internal Server Error"}`, which
 * rpc.ts reports as RpcProtocolError — not a wrong URL; if it persists, the range fails after its
 * retries like any other.
 */
export async function tolerant<T>(exchange: () => Promise<T>): Promise<T> {
  try {
    return await exchange()
  } catch (error) {
    if (error instanceof RpcProtocolError) throw new InconsistentAnswerError(error.message, { cause: error })
    throw error
  }
}

export interface RangeResult {
  range: BlockRange
  /** Rows of the stream's table. */
  rows: RowChunk
  /** Rows of chain_blocks (block_number, block_hash, parent_hash, block_time): every block with logs. */
  blocks: RowChunk
  logs: number
  quarantined: QuarantinedRecord[]
  /** Hash of `range.to` when known (near the tip always; deeper when that block has logs). */
  endHash: string
}

interface BlockFacts {
  hash: string | undefined
  time: number | undefined
  parent: string
  /** What encoders are given for this block's logs: one object per block, so they may cache by it. */
  block?: LogBlock
}

/** Keeps recently fetched headers so neighbouring ranges never ask twice. */
export class HeaderCache {
  private readonly headers = new Map<number, BlockHeader>()

  get(block: number): BlockHeader | undefined {
    return this.headers.get(block)
  }

  put(header: BlockHeader): void {
    if (this.headers.size >= HEADER_CACHE_SIZE) {
      const oldest = this.headers.keys().next().value as number
      this.headers.delete(oldest)
    }
    this.headers.set(header.number, header)
  }
}

export interface FetchContext {
  rpc: RpcClient
  /** Written into every row's `_run_id`. */
  runId: string
  stream: LogStream
  encoder: LogEncoder
  headers: HeaderCache
  /** Buffers for the rows, given back by the committer once inserted. */
  rowBuffers?: RowBuffers
}

/**
 * Fetches `range`. Near the tip (`withHeader`) the range end's header goes first in the same batch
 * as eth_getLogs, so the hash recorded for the range was read no later than its logs: a reorg in
 * between makes the next check step back (never the reverse, which would hide orphaned rows).
 */
export async function fetchRange(
  context: FetchContext,
  range: BlockRange,
  withHeader: boolean,
): Promise<RangeResult> {
  const { address, topics } = context.stream.filter
  // No address: every emitter (a stream whose contracts are created during the scan selects by
  // topic alone); nodes differ on what `address: []` means, so it is left out, not sent empty.
  const filter = {
    ...(address.length > 0 ? { address } : {}),
    topics,
    fromBlock: toHex(range.from),
    toBlock: toHex(range.to),
  }
  let logs: unknown
  let endHeader: BlockHeader | undefined
  // Encoders with a fast path get scanned replies; the others parsed logs, all for the reference path.
  const scan = context.encoder.encodeScanned !== undefined
  try {
    if (withHeader) {
      const [header, result] = await context.rpc.batch([
        { method: 'eth_getBlockByNumber', params: [toHex(range.to), false] },
        { method: 'eth_getLogs', params: [filter] },
      ])
      if (!result?.ok) throw result?.error ?? new RpcProtocolError('eth_getLogs: no answer in the batch')
      if (!header?.ok)
        throw header?.error ?? new RpcProtocolError('eth_getBlockByNumber: no answer in the batch')
      endHeader = parseHeader(header.result, range.to)
      logs = result.result
    } else if (scan) {
      logs = await context.rpc.requestLogs([filter], { requested: range })
    } else {
      logs = await context.rpc.request('eth_getLogs', [filter], { requested: range })
    }
  } catch (error) {
    throw tooLarge(error, range) ?? error
  }
  if (!(logs instanceof ScannedLogs) && !Array.isArray(logs)) {
    throw new InconsistentAnswerError(
      `eth_getLogs [${range.from}, ${range.to}] returned ${typeof logs}, not a list`,
    )
  }
  // Parsed logs (the batch near the tip, or a reply the scan declined) take the fast path as bytes too.
  const scanned = logs instanceof ScannedLogs ? logs : scan ? scanParsedLogs(logs) : undefined
  if (scanned === undefined) return await rowsOf(context, range, new ObjectLogs(logs as unknown[]), endHeader)
  try {
    return await rowsOf(context, range, new ScannedLogList(scanned), endHeader)
  } finally {
    // The rows, blocks and quarantined records hold copies: the reply's buffer may serve the next.
    scanned.release()
  }
}

/** A range error, reclassified with the range we asked for so its suggestion becomes concrete. */
function tooLarge(error: unknown, range: BlockRange): RangeTooLargeError | undefined {
  if (!(error instanceof RpcError)) return undefined
  const classification = classifyGetLogsError(
    { code: error.code, message: error.rpcMessage, data: error.data, httpStatus: error.httpStatus },
    range,
  )
  if (classification.kind !== 'range-too-large' && classification.kind !== 'too-many-results')
    return undefined
  return new RangeTooLargeError(range, classification, { cause: error })
}

function parseHeader(result: unknown, number: number): BlockHeader {
  const header = result as {
    number?: unknown
    hash?: unknown
    parentHash?: unknown
    timestamp?: unknown
  } | null
  if (header === null) {
    throw new InconsistentAnswerError(`the node has no block ${number} yet (a backend behind the tip)`)
  }
  const hash = lowerHash(header?.hash)
  const parent = lowerHash(header?.parentHash)
  const time = quantity(header?.timestamp)
  if (
    quantity(header?.number) !== number ||
    hash === undefined ||
    parent === undefined ||
    time === undefined
  ) {
    throw new RpcProtocolError(`eth_getBlockByNumber ${number} returned an unexpected block`)
  }
  return { number, hash, parentHash: parent, timestamp: time }
}

async function rowsOf(
  context: FetchContext,
  range: BlockRange,
  logs: LogList,
  endHeader: BlockHeader | undefined,
): Promise<RangeResult> {
  const blocks = new Map<number, BlockFacts>()
  const numbers: number[] = new Array(logs.length)
  const quarantined: QuarantinedRecord[] = []
  for (let i = 0; i < logs.length; i++) {
    const number = logs.blockNumber(i)
    if (number === undefined) {
      numbers[i] = -1
      quarantined.push(
        record(logs.object(i), 'blockNumber is missing or not a hex quantity (a pending log?)'),
      )
      continue
    }
    if (number < range.from || number > range.to) {
      throw new InconsistentAnswerError(
        `eth_getLogs [${range.from}, ${range.to}] returned a log of block ${number}, outside the range`,
      )
    }
    numbers[i] = number
    const hash = logs.blockHash(i)
    const facts = blocks.get(number)
    if (!facts) {
      blocks.set(number, { hash, time: logs.blockTimestamp(i), parent: '' })
      continue
    }
    if (hash !== undefined && facts.hash !== undefined && hash !== facts.hash) {
      throw new InconsistentAnswerError(`logs of block ${number} carry two block hashes (a reorg mid-answer)`)
    }
    facts.hash ??= hash
    facts.time ??= logs.blockTimestamp(i)
  }
  if (endHeader) {
    const facts = blocks.get(endHeader.number)
    if (facts?.hash !== undefined && facts.hash !== endHeader.hash) {
      throw new InconsistentAnswerError(`block ${endHeader.number} changed between its header and its logs`)
    }
    context.headers.put(endHeader)
  }
  await completeBlocks(context, blocks)

  const { encoder } = context
  const { scanned } = logs
  const out = new RowWriter(context.runId, logs.length, context.stream.format, context.rowBuffers)
  for (let i = 0; i < logs.length; i++) {
    const number = numbers[i] as number
    if (number < 0) continue
    const facts = blocks.get(number) as BlockFacts
    facts.block ??= { number, hash: facts.hash as string, time: facts.time as number }
    const { block } = facts
    const mark = out.mark()
    try {
      if (scanned?.irregular(i) === false && encoder.encodeScanned?.(scanned, i, block, out)) continue
      out.rewind(mark)
      encoder.encode(logs.object(i), block, out)
    } catch (error) {
      if (!(error instanceof LogDecodeError)) throw error
      out.rewind(mark)
      quarantined.push(record(logs.object(i), error.reason))
    }
  }
  const blockRows = new RowWriter(context.runId, blocks.size)
  for (const number of [...blocks.keys()].sort((a, b) => a - b)) {
    const facts = blocks.get(number) as BlockFacts
    blockRows.write(`${number}\t${facts.hash}\t${facts.parent}\t${facts.time}`)
    blockRows.endRow()
  }
  const endHash = endHeader?.hash ?? blocks.get(range.to)?.hash ?? ''
  const [rows, blockChunk] = await Promise.all([out.finish(), blockRows.finish()])
  return {
    range,
    rows,
    blocks: blockChunk,
    logs: logs.length,
    quarantined,
    endHash,
  }
}

/**
 * Fills hash and time of blocks whose logs lack them, from cached headers or one batch of
 * eth_getBlockByNumber for all of them (never one request per log). A header's parent hash is kept
 * only when the header was needed, so what chain_blocks holds does not depend on range boundaries.
 */
async function completeBlocks(context: FetchContext, blocks: Map<number, BlockFacts>): Promise<void> {
  const missing: number[] = []
  for (const [number, facts] of blocks) {
    if (facts.hash !== undefined && facts.time !== undefined) continue
    const cached = context.headers.get(number)
    if (cached && (facts.hash === undefined || facts.hash === cached.hash)) {
      fill(facts, cached)
      continue
    }
    missing.push(number)
  }
  if (missing.length === 0) return
  const headers = await context.rpc.getBlocksByNumber(missing)
  for (const [i, number] of missing.entries()) {
    const header = headers[i]
    if (!header) throw new InconsistentAnswerError(`the node has logs of block ${number} but not its header`)
    const facts = blocks.get(number) as BlockFacts
    if (facts.hash !== undefined && facts.hash !== header.hash) {
      throw new InconsistentAnswerError(`block ${number} changed between its logs and its header`)
    }
    context.headers.put(header)
    fill(facts, header)
  }
}

function fill(facts: BlockFacts, header: BlockHeader): void {
  facts.hash = header.hash
  facts.time = header.timestamp
  facts.parent = header.parentHash
}

function record(log: unknown, reason: string): QuarantinedRecord {
  const fields = log as { blockNumber?: unknown; logIndex?: unknown; transactionHash?: unknown } | null
  const key =
    typeof fields?.transactionHash === 'string' && typeof fields?.logIndex === 'string'
      ? `${fields.transactionHash.toLowerCase()}:${fields.logIndex.toLowerCase()}`
      : undefined
  let raw: string
  try {
    raw = JSON.stringify(log) ?? String(log)
  } catch {
    raw = String(log)
  }
  return key === undefined ? { reason, raw } : { key, reason, raw }
}
