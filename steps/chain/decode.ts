// The reference decoder of OrderFilled (both exchange versions): a raw log checked at the edge
// (extract/chain/abi.ts) → the fill as viem's decodeEventLog reads it over the fixture ABIs
// (extract/chain/contracts.ts), normalized to the maker's point of view. Slow (~100 µs a log) and
// thorough: it takes every log the fast path declines (encode-scanned.ts), decodes it or says why
// not, and the tests hold the fast path to its rows (test/steps/chain/encode.test.ts).
import { decodeEvent, LogDecodeError, type LogPosition, type RawLog } from '../../extract/chain/abi.ts'
import {
  type Exchange,
  type ExchangeVersion,
  exchangeAt,
  ORDER_FILLED_V1_ABI,
  ORDER_FILLED_V2_ABI,
  TOPIC0,
} from '../../extract/chain/contracts.ts'

// Amounts and ids are decimal strings of the exact uint256 (they go to UInt256 / Decimal columns;
// never a JS number). Field names are the warehouse column names.

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
  const { args, position } = decodeEvent(log, ORDER_FILLED_V1_ABI)
  // Asset id 0 is collateral (USDC). Exactly one side of a V1 order is collateral.
  const makerPaysCollateral = args.makerAssetId === 0n
  const takerPaysCollateral = args.takerAssetId === 0n
  if (makerPaysCollateral === takerPaysCollateral) {
    throw new LogDecodeError(
      `V1 fill with makerAssetId ${args.makerAssetId} and takerAssetId ${args.takerAssetId}: exactly one must be 0 (collateral)`,
      log,
    )
  }
  const tokenId = makerPaysCollateral ? args.takerAssetId : args.makerAssetId
  return {
    ...common(position, exchange, args, makerPaysCollateral, tokenId),
    version: 1,
    maker_asset_id: args.makerAssetId.toString(),
    taker_asset_id: args.takerAssetId.toString(),
    order_side: null,
    builder: null,
    metadata: null,
  }
}

function decodeOrderFilledV2(log: RawLog): OrderFillV2 {
  const exchange = exchangeFor(log, 2)
  const { args, position } = decodeEvent(log, ORDER_FILLED_V2_ABI)
  if (args.side !== 0 && args.side !== 1) {
    throw new LogDecodeError(`V2 fill with side ${args.side}: the Side enum is 0 (BUY) or 1 (SELL)`, log)
  }
  return {
    ...common(position, exchange, args, args.side === 0, args.tokenId),
    version: 2,
    maker_asset_id: null,
    taker_asset_id: null,
    order_side: args.side,
    builder: lower(args.builder),
    metadata: lower(args.metadata),
  }
}

/** The fields both versions have, and the maker's view of the trade. */
function common(
  position: LogPosition,
  exchange: Exchange | { address: string; negRisk: false },
  args: {
    orderHash: string
    maker: string
    taker: string
    makerAmountFilled: bigint
    takerAmountFilled: bigint
    fee: bigint
  },
  makerPaysCollateral: boolean,
  tokenId: bigint,
): OrderFillCommon {
  return {
    ...position,
    exchange: exchange.address,
    neg_risk: exchange.negRisk,
    order_hash: lower(args.orderHash),
    maker: lower(args.maker),
    taker: lower(args.taker),
    maker_amount_filled: args.makerAmountFilled.toString(),
    taker_amount_filled: args.takerAmountFilled.toString(),
    fee: args.fee.toString(),
    ...normalized(makerPaysCollateral, tokenId, args),
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
