// The AMM era of the simulated chain: before the order book, some binary markets traded against a
// Fixed Product Market Maker created by Polymarket's real factory address. Each AMM market gets a
// creation, a first funding by its creator, trades by AMM-era wallets priced by the FPMM's own
// constant-product rule (gnosis/conditional-tokens-market-makers FixedProductMarketMaker.sol
// calcBuyAmount / calcSellAmount), a second funding half-way and a partial removal at the end.
//
// The era occupies the AMM_ERA_BLOCKS blocks just below the V1 exchange's deployment, a compressed
// stand-in for the real 2020–2022 span (blocks 4,023,693 to 33,605,403) so a test scans it in a
// few requests. It is small (at most MAX_AMM_MARKETS markets, a few dozen logs each) and built
// eagerly. Simplifications, on purpose: the AMM trades move no simulated ERC-1155 balance and no
// Data API position (the ledger's positions come from fills alone), so they are made by AMM_WALLETS
// wallets of their own, outside the ledger: traders who left before the order book, which the Data
// API and the fills know nothing of (the reconciliation of the ledger's wallets stays exact); and
// the AMM markets' Gamma
// clobTokenIds stay the catalog's, not ConditionalTokens' position ids, so polyhouse must tie these
// trades to their markets by Gamma's marketMakerAddress.
import { getAddress } from 'viem'
import { hash, hexWords } from '../random.ts'
import { type Catalog, MarketFlag } from './catalog.ts'
import type { ChainLayout } from './chain.ts'

/** Blocks of the compressed AMM era, ending just below the V1 exchange's deployment. */
export const AMM_ERA_BLOCKS = 20_000
/**
 * Share of eligible markets (deployed, binary, not neg-risk) among the oldest AMM_CANDIDATES (the
 * catalog creates markets in index order) that traded on an AMM, percent: a pure function of the
 * market, so Gamma's marketMakerAddress needs no built era.
 */
const AMM_MARKET_PERCENT = 30
const AMM_CANDIDATES = 120
/** AMM-era traders and liquidity providers, none of them a ledger wallet. */
const AMM_WALLETS = 60
/** The FPMM fee rate Polymarket's market makers were created with here: 2 % (1e18 = 100 %). */
export const AMM_FEE = 2n * 10n ** 16n
const ONE = 10n ** 18n
const D = { pick: 0x3a01, amount: 0x3a02, who: 0x3a03, kind: 0x3a04, address: 0x3a05, tx: 0x3a06 } as const

export type AmmEventKind = 'creation' | 'buy' | 'sell' | 'added' | 'removed'

export interface AmmEvent {
  kind: AmmEventKind
  /** Catalog market index. */
  market: number
  /** The market maker (lower-case); the emitter of every event but the creation (the factory's). */
  marketMaker: string
  actor: string
  blockNumber: number
  logIndex: number
  transactionHash: string
  /** buy/sell: the outcome traded. */
  outcome: number
  /** buy: investmentAmount; sell: returnAmount; removed: collateralRemovedFromFeePool (1e-6 USDC). */
  collateral: bigint
  fee: bigint
  /** buy: outcomeTokensBought; sell: outcomeTokensSold. */
  tokens: bigint
  /** added: amountsAdded; removed: amountsRemoved. */
  amounts: bigint[]
  /** Liquidity shares minted or burnt. */
  shares: bigint
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b

/** One market maker's pool, as FixedProductMarketMaker.sol keeps it (two outcomes). */
class Pool {
  balances: [bigint, bigint] = [0n, 0n]
  supply = 0n
  feePool = 0n

  copy(): Pool {
    const copy = new Pool()
    copy.balances = [...this.balances]
    copy.supply = this.supply
    copy.feePool = this.feePool
    return copy
  }

  addFunding(funds: bigint): { amounts: bigint[]; shares: bigint } {
    if (this.supply === 0n) {
      this.balances = [funds, funds]
      this.supply = funds
      return { amounts: [funds, funds], shares: funds }
    }
    // biome-ignore lint/complexity/useMathMinMax: bigints; Math.max takes numbers
    const max = this.balances[0] > this.balances[1] ? this.balances[0] : this.balances[1]
    const amounts = this.balances.map((b) => (funds * b) / max)
    const shares = (funds * this.supply) / max
    this.balances = [this.balances[0] + (amounts[0] as bigint), this.balances[1] + (amounts[1] as bigint)]
    this.supply += shares
    return { amounts, shares }
  }

  removeFunding(shares: bigint): { amounts: bigint[]; fees: bigint } {
    const amounts = this.balances.map((b) => (b * shares) / this.supply)
    const fees = (this.feePool * shares) / this.supply
    this.balances = [this.balances[0] - (amounts[0] as bigint), this.balances[1] - (amounts[1] as bigint)]
    this.feePool -= fees
    this.supply -= shares
    return { amounts, fees }
  }

  /** calcBuyAmount, then the pool after the buy. */
  buy(investment: bigint, outcome: number): { fee: bigint; tokens: bigint } {
    const fee = (investment * AMM_FEE) / ONE
    const net = investment - fee
    const other = 1 - outcome
    const x = this.balances[outcome] as bigint
    const y = this.balances[other] as bigint
    const ending = ceilDiv(x * y, y + net)
    const tokens = x + net - ending
    this.balances[outcome] = ending
    this.balances[other] = y + net
    this.feePool += fee
    return { fee, tokens }
  }

  /** calcSellAmount for `returnAmount`, then the pool after the sell; undefined when the pool cannot pay it. */
  sell(returnAmount: bigint, outcome: number): { fee: bigint; tokens: bigint } | undefined {
    const fee = ceilDiv(returnAmount * AMM_FEE, ONE - AMM_FEE)
    const gross = returnAmount + fee
    const other = 1 - outcome
    const x = this.balances[outcome] as bigint
    const y = this.balances[other] as bigint
    if (gross >= y) return undefined
    const ending = ceilDiv(x * y, y - gross)
    const tokens = gross + ending - x
    this.balances[outcome] = ending
    this.balances[other] = y - gross
    this.feePool += fee
    return { fee, tokens }
  }
}

export class AmmEra {
  readonly firstBlock: number
  readonly lastBlock: number
  /** Catalog market → its market maker (lower-case). */
  readonly marketMakers = new Map<number, string>()
  /** Every AMM-era log in chain order. */
  readonly events: AmmEvent[] = []

  constructor(catalog: Catalog, chain: ChainLayout) {
    const seed = catalog.seed
    this.lastBlock = chain.startBlock - 1
    this.firstBlock = this.lastBlock - AMM_ERA_BLOCKS + 1
    for (let m = 0; m < Math.min(catalog.marketCount, AMM_CANDIDATES); m++) {
      const maker = ammMarketMaker(catalog, m)
      if (maker !== '') this.marketMakers.set(m, maker)
    }
    const perMarket = [...this.marketMakers].map(([market, maker]) => marketHistory(seed, market, maker))
    // Interleave the markets' histories in rounds, then spread them over the era's blocks.
    const ordered: AmmEvent[] = []
    for (let round = 0; perMarket.some((history) => round < history.length); round++)
      for (const history of perMarket) if (round < history.length) ordered.push(history[round] as AmmEvent)
    let lastBlock = -1
    let logIndex = 0
    ordered.forEach((event, i) => {
      const block = this.firstBlock + Math.floor((i * AMM_ERA_BLOCKS) / Math.max(1, ordered.length))
      logIndex = block === lastBlock ? logIndex + 1 : 0
      lastBlock = block
      event.blockNumber = block
      event.logIndex = logIndex
      event.transactionHash = `0x${hexWords(8, seed, D.tx, block, logIndex)}`
      this.events.push(event)
    })
  }

  /** The events in blocks [from, to], in chain order. */
  eventsInBlocks(from: number, to: number): AmmEvent[] {
    if (to < this.firstBlock || from > this.lastBlock) return []
    return this.events.filter((event) => event.blockNumber >= from && event.blockNumber <= to)
  }
}

/** The market maker of market `m` (lower-case), '' when it never traded on an AMM. */
export function ammMarketMaker(catalog: Catalog, m: number): string {
  const eligible =
    m < AMM_CANDIDATES &&
    !catalog.has(m, MarketFlag.Undeployed) &&
    !catalog.has(m, MarketFlag.NegRisk) &&
    catalog.marketOutcomes[m] === 2
  if (!eligible || hash(catalog.seed, D.pick, m) % 100 >= AMM_MARKET_PERCENT) return ''
  return `0x${hexWords(5, catalog.seed, D.address, m)}`
}

/** Gamma's marketMakerAddress of market `m`: checksummed, as Gamma prints it; '' for none. */
export function marketMakerAddress(catalog: Catalog, m: number): string {
  const maker = ammMarketMaker(catalog, m)
  return maker === '' ? '' : getAddress(maker)
}

/** One market maker's logs in order, before they are placed in blocks. */
function marketHistory(seed: number, market: number, marketMaker: string): AmmEvent[] {
  const draw = (salt: number, i: number, modulo: number) => hash(seed, D.amount, market, salt, i) % modulo
  const wallet = (i: number) => `0x${hexWords(5, seed, D.who, hash(seed, D.who, market, i) % AMM_WALLETS)}`
  const event = (kind: AmmEventKind, actor: string, rest: Partial<AmmEvent> = {}): AmmEvent => ({
    kind,
    market,
    marketMaker,
    actor,
    blockNumber: 0,
    logIndex: 0,
    transactionHash: '',
    outcome: 0,
    collateral: 0n,
    fee: 0n,
    tokens: 0n,
    amounts: [],
    shares: 0n,
    ...rest,
  })
  const pool = new Pool()
  const creator = wallet(0)
  const usdc = (whole: number) => BigInt(whole) * 1_000_000n
  const history: AmmEvent[] = [event('creation', creator)]
  const first = pool.addFunding(usdc(1_000 + draw(1, 0, 9_000)))
  history.push(event('added', creator, first))
  /** Outcome tokens each wallet holds from its buys here, by outcome. */
  const held = new Map<string, [bigint, bigint]>()
  const trades = 6 + draw(2, 0, 14)
  for (let i = 1; i <= trades; i++) {
    if (i === Math.ceil(trades / 2)) {
      const funder = wallet(1_000 + i)
      history.push(event('added', funder, pool.addFunding(usdc(200 + draw(3, i, 2_000)))))
    }
    const who = wallet(i)
    const holding = held.get(who) ?? [0n, 0n]
    const outcome = draw(4, i, 2)
    const selling = (holding[outcome] as bigint) > 0n && draw(5, i, 3) === 0
    if (selling) {
      // Ask for a return worth about a third of the holding at the pool's odds; halve until it fits.
      let returnAmount = (holding[outcome] as bigint) / 3n / 2n
      let sold: { fee: bigint; tokens: bigint } | undefined
      for (; returnAmount > 0n; returnAmount /= 2n) {
        const fits = pool.copy().sell(returnAmount, outcome)
        if (fits && fits.tokens <= (holding[outcome] as bigint)) {
          sold = pool.sell(returnAmount, outcome)
          break
        }
      }
      if (sold) {
        holding[outcome] = (holding[outcome] as bigint) - sold.tokens
        held.set(who, holding)
        history.push(event('sell', who, { outcome, collateral: returnAmount, ...sold }))
        continue
      }
    }
    const investment = usdc(1 + draw(6, i, 500)) + BigInt(draw(7, i, 1_000_000))
    const bought = pool.buy(investment, outcome)
    holding[outcome] = (holding[outcome] as bigint) + bought.tokens
    held.set(who, holding)
    history.push(event('buy', who, { outcome, collateral: investment, ...bought }))
  }
  const burnt = pool.supply / 4n
  const removed = pool.removeFunding(burnt)
  history.push(
    event('removed', creator, { amounts: removed.amounts, collateral: removed.fees, shares: burnt }),
  )
  return history
}
