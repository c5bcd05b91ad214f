// Raw eth_getLogs entries → typed rows for chain_fills and the ERC-1155 transfers table.
// Decoding is viem's `decodeEventLog` over the event fragments in contracts.ts.
import { decodeEventLog } from 'viem'
import { z } from 'zod'
import { NonRetryableError } from '../../core/errors.ts'
import {
  ERC1155_TRANSFER_ABI,
  type Exchange,
  type ExchangeVersion,
  exchangeAt,
  ORDER_FILLED_V1_ABI,
  ORDER_FILLED_V2_ABI,
  TOPIC0,
} from './contracts.ts'

// ---------------------------------------------------------------------------------------------
// The raw log, as eth_getLogs returns it (checked at the edge; hex strings stay hex strings so
// the row's `raw` column can keep exactly what the provider sent, lower-cased).

type Hex = `0x${string}`

const hexData = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})*$/, 'expected 0x-prefixed hex bytes')
  .transform((v) => v.toLowerCase() as Hex)
const hash32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 32-byte 0x hash')
  .transform((v) => v.toLowerCase() as Hex)
const address20 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 20-byte 0x address')
  .transform((v) => v.toLowerCase() as Hex)
/** A JSON-RPC QUANTITY ("0x1a"); `null`/absent allowed where the field is optional. */
const quantity = z
  .string()
  .regex(/^0x[0-9a-fA-F]+$/, 'expected a 0x hex quantity')
  .transform((v) => v.toLowerCase() as Hex)
const optional = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((v) => (v ?? null) as z.output<T> | null)

/**
 * One entry of an eth_getLogs result. `blockNumber` is null only for pending logs; `logIndex`,
 * `transactionIndex`, `blockHash` and `blockTimestamp` are optional because real payloads omit
 * them (SOURCES.md: the transfer fixtures were trimmed; `blockTimestamp` is a newer field).
 */
export const rawLogSchema = z.object({
  address: address20,
  topics: z.array(hash32).max(4),
  data: hexData,
  blockNumber: optional(quantity),
  blockHash: optional(hash32),
  blockTimestamp: optional(quantity),
  transactionHash: optional(hash32),
  transactionIndex: optional(quantity),
  logIndex: optional(quantity),
  removed: z.boolean().optional().default(false),
})
export type RawLog = z.output<typeof rawLogSchema>

export const rawLogsSchema = z.array(rawLogSchema)

/** A log that cannot become a row: quarantine it with `reason` and `raw`, do not retry. */
export class LogDecodeError extends NonRetryableError {
  constructor(
    readonly reason: string,
    readonly raw: unknown,
    options: { cause?: unknown } = {},
  ) {
    super(`cannot decode log: ${reason}`, {
      hint: 'the log is quarantined with its raw JSON; the run goes on',
      cause: options.cause,
    })
  }
}

export function parseRawLog(value: unknown): RawLog {
  const parsed = rawLogSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : ''
    throw new LogDecodeError(`${where}${issue?.message ?? 'invalid log'}`, value, { cause: parsed.error })
  }
  return parsed.data
}

// ---------------------------------------------------------------------------------------------
// Decoded rows. Field names are the warehouse column names. Amounts and ids are decimal strings
// of the exact uint256 (they go to UInt256 / Decimal columns; never a JS number).

export interface LogPosition {
  block_number: number
  /** Absent in trimmed payloads; the chain step fills it from eth_getBlockByNumber. */
  block_hash: string | null
  /** From the log's `blockTimestamp` (unix seconds) when the provider sends it, else null. */
  block_timestamp: number | null
  tx_hash: string
  transaction_index: number | null
  /** Required for the (block_number, log_index) key; null only in trimmed payloads. */
  log_index: number | null
}

export type Side = 'BUY' | 'SELL'

interface OrderFillCommon extends LogPosition {
  /** The exchange contract that emitted the fill (lower-case). */
  exchange: string
  neg_risk: boolean
  order_hash: string
  /** The wallet whose order was filled (lower-case). */
  maker: string
  taker: string
  maker_amount_filled: string
  taker_amount_filled: string
  fee: string
  // Normalized view, the same for both versions: from the maker's point of view.
  /** The outcome token traded. */
  token_id: string
  /** BUY when the maker pays collateral (V1: makerAssetId = 0; V2: side 0). */
  side: Side
  /** Outcome-token amount, raw 6-decimal units. */
  shares: string
  /** USDC amount, raw 6-decimal units. */
  collateral: string
}

export interface OrderFillV1 extends OrderFillCommon {
  version: 1
  maker_asset_id: string
  taker_asset_id: string
  order_side: null
  builder: null
  metadata: null
}

export interface OrderFillV2 extends OrderFillCommon {
  version: 2
  maker_asset_id: null
  taker_asset_id: null
  /** V2's `side` field as emitted: 0 = BUY, 1 = SELL (`side` above is its normalized form). */
  order_side: 0 | 1
  builder: string
  metadata: string
}

export type OrderFill = OrderFillV1 | OrderFillV2

export interface OutcomeTransfer extends LogPosition {
  /** The ERC-1155 contract (ConditionalTokens). */
  contract: string
  event: 'TransferSingle' | 'TransferBatch'
  operator: string
  /** The zero address for mints (splits). */
  from: string
  /** The zero address for burns (merges, redemptions). */
  to: string
  /** Position in the batch's arrays; 0 for TransferSingle. */
  batch_index: number
  token_id: string
  amount: string
}

export type DecodedLog =
  | { kind: 'fill'; fill: OrderFill }
  | { kind: 'transfers'; transfers: OutcomeTransfer[] }

// ---------------------------------------------------------------------------------------------

function toNumber(field: string, value: Hex, log: RawLog): number {
  const n = Number(BigInt(value))
  if (!Number.isSafeInteger(n)) throw new LogDecodeError(`${field} ${value} is not a safe integer`, log)
  return n
}

function position(log: RawLog): LogPosition {
  if (log.blockNumber === null) throw new LogDecodeError('blockNumber is missing (a pending log)', log)
  if (log.transactionHash === null) throw new LogDecodeError('transactionHash is missing', log)
  return {
    block_number: toNumber('blockNumber', log.blockNumber, log),
    block_hash: log.blockHash,
    block_timestamp: log.blockTimestamp === null ? null : toNumber('blockTimestamp', log.blockTimestamp, log),
    tx_hash: log.transactionHash,
    transaction_index:
      log.transactionIndex === null ? null : toNumber('transactionIndex', log.transactionIndex, log),
    log_index: log.logIndex === null ? null : toNumber('logIndex', log.logIndex, log),
  }
}

function topicsOf(log: RawLog): [Hex, ...Hex[]] {
  const [signature, ...rest] = log.topics
  if (signature === undefined) throw new LogDecodeError('log has no topics (anonymous event)', log)
  return [signature, ...rest]
}

/** Runs a viem decode, turning its errors into a LogDecodeError for the quarantine. */
function guarded<T>(log: RawLog, decode: () => T): T {
  try {
    return decode()
  } catch (error) {
    if (error instanceof LogDecodeError) throw error
    const detail =
      error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : ''
    throw new LogDecodeError(`ABI decoding failed: ${detail}`, log, { cause: error })
  }
}

const lower = (value: string) => value.toLowerCase()

function exchangeFor(log: RawLog, version: ExchangeVersion): Exchange | { address: string; negRisk: false } {
  const exchange = exchangeAt(log.address)
  if (exchange && exchange.version !== version) {
    throw new LogDecodeError(
      `OrderFilled V${version} topic emitted by ${exchange.name} (a V${exchange.version} exchange)`,
      log,
    )
  }
  // An unknown emitter is decoded as-is: the filter decides which addresses are read.
  return exchange ?? { address: log.address, negRisk: false }
}

/** Decodes an OrderFilled log of either exchange version (chosen by topic0). */
export function decodeOrderFilled(log: RawLog): OrderFill {
  const topic0 = log.topics[0]
  if (topic0 === TOPIC0.orderFilledV1) return decodeOrderFilledV1(log)
  if (topic0 === TOPIC0.orderFilledV2) return decodeOrderFilledV2(log)
  throw new LogDecodeError(`topic0 ${topic0 ?? '(none)'} is not an OrderFilled event`, log)
}

function decodeOrderFilledV1(log: RawLog): OrderFillV1 {
  const exchange = exchangeFor(log, 1)
  // strict: the data must hold exactly the non-indexed inputs, no more, no less.
  const { args } = guarded(log, () =>
    decodeEventLog({ abi: ORDER_FILLED_V1_ABI, data: log.data, topics: topicsOf(log), strict: true }),
  )
  // Asset id 0 is collateral (USDC). Exactly one side of a V1 order is collateral.
  const makerPaysCollateral = args.makerAssetId === 0n
  const takerPaysCollateral = args.takerAssetId === 0n
  if (makerPaysCollateral === takerPaysCollateral) {
    throw new LogDecodeError(
      `V1 fill with makerAssetId ${args.makerAssetId} and takerAssetId ${args.takerAssetId}: exactly one must be 0 (collateral)`,
      log,
    )
  }
  return {
    ...position(log),
    exchange: exchange.address,
    neg_risk: exchange.negRisk,
    version: 1,
    order_hash: lower(args.orderHash),
    maker: lower(args.maker),
    taker: lower(args.taker),
    maker_asset_id: args.makerAssetId.toString(),
    taker_asset_id: args.takerAssetId.toString(),
    order_side: null,
    builder: null,
    metadata: null,
    maker_amount_filled: args.makerAmountFilled.toString(),
    taker_amount_filled: args.takerAmountFilled.toString(),
    fee: args.fee.toString(),
    ...normalized(makerPaysCollateral, makerPaysCollateral ? args.takerAssetId : args.makerAssetId, args),
  }
}

function decodeOrderFilledV2(log: RawLog): OrderFillV2 {
  const exchange = exchangeFor(log, 2)
  const { args } = guarded(log, () =>
    decodeEventLog({ abi: ORDER_FILLED_V2_ABI, data: log.data, topics: topicsOf(log), strict: true }),
  )
  if (args.side !== 0 && args.side !== 1) {
    throw new LogDecodeError(`V2 fill with side ${args.side}: the Side enum is 0 (BUY) or 1 (SELL)`, log)
  }
  return {
    ...position(log),
    exchange: exchange.address,
    neg_risk: exchange.negRisk,
    version: 2,
    order_hash: lower(args.orderHash),
    maker: lower(args.maker),
    taker: lower(args.taker),
    maker_asset_id: null,
    taker_asset_id: null,
    order_side: args.side,
    builder: lower(args.builder),
    metadata: lower(args.metadata),
    maker_amount_filled: args.makerAmountFilled.toString(),
    taker_amount_filled: args.takerAmountFilled.toString(),
    fee: args.fee.toString(),
    ...normalized(args.side === 0, args.tokenId, args),
  }
}

/**
 * The maker's view: a BUY maker gives `makerAmountFilled` collateral for `takerAmountFilled`
 * shares; a SELL maker gives `makerAmountFilled` shares for `takerAmountFilled` collateral.
 */
function normalized(
  makerPaysCollateral: boolean,
  tokenId: bigint,
  amounts: { makerAmountFilled: bigint; takerAmountFilled: bigint },
): Pick<OrderFillCommon, 'token_id' | 'side' | 'shares' | 'collateral'> {
  const maker = amounts.makerAmountFilled.toString()
  const taker = amounts.takerAmountFilled.toString()
  return makerPaysCollateral
    ? { token_id: tokenId.toString(), side: 'BUY', shares: taker, collateral: maker }
    : { token_id: tokenId.toString(), side: 'SELL', shares: maker, collateral: taker }
}

/** Decodes a TransferSingle or TransferBatch log into one row per token id moved. */
export function decodeTransfers(log: RawLog): OutcomeTransfer[] {
  const topic0 = log.topics[0]
  if (topic0 !== TOPIC0.transferSingle && topic0 !== TOPIC0.transferBatch) {
    throw new LogDecodeError(`topic0 ${topic0 ?? '(none)'} is not an ERC-1155 transfer event`, log)
  }
  const decoded = guarded(log, () =>
    decodeEventLog({ abi: ERC1155_TRANSFER_ABI, data: log.data, topics: topicsOf(log), strict: true }),
  )
  const base = {
    ...position(log),
    contract: log.address,
    operator: lower(decoded.args.operator),
    from: lower(decoded.args.from),
    to: lower(decoded.args.to),
  }
  if (decoded.eventName === 'TransferSingle') {
    const { id, value } = decoded.args
    return [
      { ...base, event: 'TransferSingle', batch_index: 0, token_id: id.toString(), amount: value.toString() },
    ]
  }
  const { ids, values } = decoded.args
  if (ids.length !== values.length) {
    throw new LogDecodeError(`TransferBatch with ${ids.length} ids but ${values.length} values`, log)
  }
  return ids.map((id, index) => ({
    ...base,
    event: 'TransferBatch' as const,
    batch_index: index,
    token_id: id.toString(),
    amount: (values[index] as bigint).toString(),
  }))
}

/** Decodes any log the chain steps ask for, dispatching on topic0. */
export function decodeLog(log: RawLog): DecodedLog {
  const topic0 = log.topics[0]
  if (topic0 === TOPIC0.orderFilledV1 || topic0 === TOPIC0.orderFilledV2) {
    return { kind: 'fill', fill: decodeOrderFilled(log) }
  }
  if (topic0 === TOPIC0.transferSingle || topic0 === TOPIC0.transferBatch) {
    return { kind: 'transfers', transfers: decodeTransfers(log) }
  }
  throw new LogDecodeError(`topic0 ${topic0 ?? '(none)'} is not an event polyhouse reads`, log)
}
