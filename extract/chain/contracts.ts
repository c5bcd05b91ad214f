// The Polymarket contracts on Polygon PoS that the chain steps read, and the event topics
// that select their logs. Facts only: addresses are lower-case (as every address and hash is in
// the warehouse); topic0 values are computed from the event signatures here and
// checked against the real logs in test/fixtures/polymarket/chain/ by the tests.
import { toEventSelector } from 'viem'

export type Address = `0x${string}`
export type ExchangeVersion = 1 | 2

/** CTF Exchange V1 (Polymarket's documentation, docs.polymarket.com; fixture vike_orderfilled_v1_log.json is one of its logs). */
export const CTF_EXCHANGE_V1: Address = '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e'
/** NegRisk CTF Exchange V1 (Polymarket's documentation, docs.polymarket.com); same ABI as V1. */
export const NEG_RISK_CTF_EXCHANGE_V1: Address = '0xc5d563a36ae78145c45a50134d48a1215220f80a'
/** CTF Exchange V2 (Polymarket's documentation, docs.polymarket.com; fixture vike_orderfilled_v2_log.json is one of its logs). */
export const CTF_EXCHANGE_V2: Address = '0xe111180000d2663c0091e4f400237545b87b996b'
/** NegRisk CTF Exchange V2 (Polymarket's documentation, docs.polymarket.com); same ABI as V2. */
export const NEG_RISK_CTF_EXCHANGE_V2: Address = '0xe2222d279d744050d28e00520010520000310f59'
/** Gnosis ConditionalTokens, the ERC-1155 that holds every outcome token */
export const CONDITIONAL_TOKENS: Address = '0x4d97dcd97ec945f40cf65f87097ace5ea0476045'
/**
 * NegRiskAdapter: the emitter of fixture vike_negrisk_positionsconverted_log.json, and the
 * operator/from of the TransferSingle burn in vike_ctf_transfersingle_log.json.
 */
export const NEG_RISK_ADAPTER: Address = '0xd91e80cf2e7be2e162c6513ced06f1dd0da35296'

/**
 * The 2026 V2 collateral adapters: since the V2 exchanges, users split, merge, redeem and convert
 * through them, so ConditionalTokens and the NegRiskAdapter see the adapter as stakeholder/redeemer.
 * Source: docs.polymarket.com "Manage positions" (trading/positions/manage, the collateral adapter
 * table: `CtfCollateralAdapter`, `NegRiskCtfCollateralAdapter`), the same pair in
 * Polymarket's ts-sdk and many V2 clients; the fixture vike_negrisk_positionsconverted_log.json is a
 * real conversion whose stakeholder (topic 1) is NEG_RISK_CTF_COLLATERAL_ADAPTER.
 */
export const CTF_COLLATERAL_ADAPTER: Address = '0xada100db00ca00073811820692005400218fce1f'
export const NEG_RISK_CTF_COLLATERAL_ADAPTER: Address = '0xada2005600dec949baf300f4c6120000bdb6eaab'
export const COLLATERAL_ADAPTERS: readonly Address[] = Object.freeze([
  CTF_COLLATERAL_ADAPTER,
  NEG_RISK_CTF_COLLATERAL_ADAPTER,
])
/**
 * The NegRiskAdapter's WrappedCollateral: the collateral of every neg-risk condition on
 * ConditionalTokens (Polymarket/polymarket-subgraph networks.yaml `matic.NegRiskWrappedCollateral`;
 * Polymarket/neg-risk-ctf-adapter addresses.json `negRiskWrappedCollateral`).
 */
export const NEG_RISK_WRAPPED_COLLATERAL: Address = '0x3a3bd7bb9528e159577f7c2e685cc81a765002e2'
/** USDC.e, the collateral of every other condition (polymarket-subgraph networks.yaml `matic.USDC`). */
export const USDC_E: Address = '0x2791bca1f2de4661ed88a30c99a7a9449aa84174'
/**
 * Where NegRiskAdapter.convertPositions sends the NO tokens it takes: `address(bytes20(bytes32(
 * keccak256("NO_TOKEN_BURN_ADDRESS"))))` (Polymarket/neg-risk-ctf-adapter src/NegRiskAdapter.sol).
 * test/extract/chain/activity-events.test.ts recomputes it.
 */
export const NO_TOKEN_BURN_ADDRESS: Address = '0xa5ef39c3d3e10d0b270233af41cac69796b12966'

/**
 * First block of the transfers step: ConditionalTokens' deployment on Polygon (Polymarket's own
 * subgraph, Polymarket/polymarket-subgraph networks.yaml, `matic.ConditionalTokens.startBlock`,
 * tx 0xf822536a…3389). Outcome tokens were minted from here on, years before the CLOB exchanges
 * (the AMM era), so balances start here, not at V1_DEPLOYMENT_BLOCK.
 */
export const CTF_DEPLOYMENT_BLOCK = 4_023_686

/**
 * Polymarket's FixedProductMarketMakerFactory on Polygon: the AMM-era factory whose
 * FixedProductMarketMakerCreation events name every Fixed Product Market Maker (FPMM) Polymarket
 * traded against from 2020 until the CTF exchanges (Polymarket/polymarket-subgraph networks.yaml,
 * `matic.FixedProductMarketMakerFactory`, tx 0x1af1b88e…e7c6; fpmm-subgraph/subgraph.template.yaml
 * indexes its creations and the FPMMs' events). Seven blocks after ConditionalTokens.
 */
export const FPMM_FACTORY: Address = '0x8b9805a2f595b6705e74f7310829f2d299d21522'
/** First block of the AMM step: the factory's deployment (networks.yaml `startBlock: 4023693`). */
export const FPMM_FACTORY_DEPLOYMENT_BLOCK = 4_023_693
/**
 * USDC (PoS bridged) on Polygon, the AMMs' collateral (networks.yaml `matic.USDC`): an outcome
 * token's id is ConditionalTokens' position id of (this collateral, the condition, the outcome's
 * index set), extract/chain/ctf-positions.ts.
 */
export const USDC_POLYGON: Address = '0x2791bca1f2de4661ed88a30c99a7a9449aa84174'

/** Polygon PoS mainnet (eth_chainId 0x89). */
export const POLYGON_CHAIN_ID = 137

/**
 * First block worth scanning: CTF Exchange V1's deployment block (Polymarket's documentation). No
 * OrderFilled of any of the four exchanges can be older, since V1 is the oldest of them.
 */
export const V1_DEPLOYMENT_BLOCK = 33_605_403

/**
 * How far below the tip the chain steps read by default, in blocks.
 *
 * Source: Polygon's finality docs (docs.polygon.technology/pos/concepts/finality/finality):
 * since the Heimdall v2 upgrade, milestones give deterministic finality "in 2 to 5 seconds",
 * i.e. one to three ~2 s Bor blocks, and `eth_getBlockByNumber("finalized")` returns the last
 * milestone-finalized block. Before v2, milestones finalized after a minimum of 12 blocks
 * (forum.polygon.technology "Improved UX with Milestones for Polygon PoS") and the docs'
 * example says "confirmed after 16 blocks". We take 32 blocks (~64 s): twice the old milestone
 * depth and an order of magnitude past v2 finality, which also absorbs load-balanced providers
 * whose backends lag the tip by a few blocks. It costs a backfill nothing, and the reorg check
 * still guards the rare deeper case. `--confirmations 0` is for local nodes (anvil).
 */
export const DEFAULT_CONFIRMATIONS_POLYGON = 32

export interface Exchange {
  address: Address
  version: ExchangeVersion
  negRisk: boolean
  name: string
}

/** The four exchanges whose OrderFilled logs make up `chain_fills`. */
export const EXCHANGES: readonly Exchange[] = Object.freeze([
  { address: CTF_EXCHANGE_V1, version: 1, negRisk: false, name: 'CTF Exchange V1' },
  { address: NEG_RISK_CTF_EXCHANGE_V1, version: 1, negRisk: true, name: 'NegRisk CTF Exchange V1' },
  { address: CTF_EXCHANGE_V2, version: 2, negRisk: false, name: 'CTF Exchange V2' },
  { address: NEG_RISK_CTF_EXCHANGE_V2, version: 2, negRisk: true, name: 'NegRisk CTF Exchange V2' },
])

export const EXCHANGE_ADDRESSES: readonly Address[] = Object.freeze(EXCHANGES.map((e) => e.address))

/** The exchange at `address` (any case), or undefined when it is not one of the four. */
export function exchangeAt(address: string): Exchange | undefined {
  const lower = address.toLowerCase()
  return EXCHANGES.find((e) => e.address === lower)
}

/**
 * Contracts that move outcome tokens on behalf of users and are therefore not wallets: mints
 * and burns pass through the adapter, fills through the exchanges (exchange and
 * adapter contracts are not wallets). The zero address (mint source / burn sink) is separate.
 */
export const NON_WALLET_CONTRACTS: ReadonlySet<string> = new Set<string>([
  ...EXCHANGE_ADDRESSES,
  NEG_RISK_ADAPTER,
  CONDITIONAL_TOKENS,
  // The V2 collateral adapters hold users' tokens only within a transaction; NO tokens a conversion
  // takes are parked at the burn address for good.
  ...COLLATERAL_ADAPTERS,
  NO_TOKEN_BURN_ADDRESS,
])

export const ZERO_ADDRESS: Address = '0x0000000000000000000000000000000000000000'

/**
 * Canonical event signatures (SOURCES.md, chain section, "Event signatures"; the ABIs in
 * fixtures/polymarket/chain/abi/ declare the same inputs).
 */
export const EVENT_SIGNATURES = Object.freeze({
  orderFilledV1: 'OrderFilled(bytes32,address,address,uint256,uint256,uint256,uint256,uint256)',
  orderFilledV2: 'OrderFilled(bytes32,address,address,uint8,uint256,uint256,uint256,uint256,bytes32,bytes32)',
  transferSingle: 'TransferSingle(address,address,address,uint256,uint256)',
  transferBatch: 'TransferBatch(address,address,address,uint256[],uint256[])',
  // The AMM era: the factory's creation and the four FPMM events, as declared in
  // Polymarket/polymarket-subgraph abis/FixedProductMarketMakerFactory.json and
  // abis/FixedProductMarketMaker.json (the ABIs its fpmm-subgraph and pnl-subgraph index; the
  // contracts are gnosis/conditional-tokens-market-makers FixedProductMarketMaker(Factory).sol).
  fpmmCreation: 'FixedProductMarketMakerCreation(address,address,address,address,bytes32[],uint256)',
  fpmmBuy: 'FPMMBuy(address,uint256,uint256,uint256,uint256)',
  fpmmSell: 'FPMMSell(address,uint256,uint256,uint256,uint256)',
  fpmmFundingAdded: 'FPMMFundingAdded(address,uint256[],uint256)',
  fpmmFundingRemoved: 'FPMMFundingRemoved(address,uint256[],uint256,uint256)',
} as const)

type Hash = `0x${string}`

/** topic0 of each event: keccak-256 of its signature. */
export const TOPIC0: Readonly<Record<keyof typeof EVENT_SIGNATURES, Hash>> = Object.freeze({
  orderFilledV1: toEventSelector(EVENT_SIGNATURES.orderFilledV1),
  orderFilledV2: toEventSelector(EVENT_SIGNATURES.orderFilledV2),
  transferSingle: toEventSelector(EVENT_SIGNATURES.transferSingle),
  transferBatch: toEventSelector(EVENT_SIGNATURES.transferBatch),
  fpmmCreation: toEventSelector(EVENT_SIGNATURES.fpmmCreation),
  fpmmBuy: toEventSelector(EVENT_SIGNATURES.fpmmBuy),
  fpmmSell: toEventSelector(EVENT_SIGNATURES.fpmmSell),
  fpmmFundingAdded: toEventSelector(EVENT_SIGNATURES.fpmmFundingAdded),
  fpmmFundingRemoved: toEventSelector(EVENT_SIGNATURES.fpmmFundingRemoved),
})

/** The eth_getLogs filter for every fill: four addresses, either OrderFilled topic. */
export const FILLS_FILTER = Object.freeze({
  address: EXCHANGE_ADDRESSES,
  topics: [[TOPIC0.orderFilledV1, TOPIC0.orderFilledV2]] as const,
})

/** The eth_getLogs filter for every ERC-1155 movement of an outcome token. */
export const TRANSFERS_FILTER = Object.freeze({
  address: [CONDITIONAL_TOKENS] as const,
  topics: [[TOPIC0.transferSingle, TOPIC0.transferBatch]] as const,
})

/**
 * The eth_getLogs filter of the AMM era: the five events by topic0 alone, from any emitter. The
 * FPMMs are clones the factory creates over time, so no address list known before the scan can
 * name them; a log is the AMM step's only if its emitter is a market maker that FPMM_FACTORY
 * created, which the views decide (amm_markets, sql/061), not the filter. Creations by other
 * factories and look-alike events stay in amm_events, unused.
 */
export const AMM_FILTER = Object.freeze({
  address: [] as readonly Address[],
  topics: [
    [
      TOPIC0.fpmmCreation,
      TOPIC0.fpmmBuy,
      TOPIC0.fpmmSell,
      TOPIC0.fpmmFundingAdded,
      TOPIC0.fpmmFundingRemoved,
    ],
  ] as const,
})

// Event ABI fragments, copied as data from test/fixtures/polymarket/chain/abi/
// (V1: Exchange.v1.polymarket-subgraph.json; V2: CTFExchangeV2.autonolas.json; ERC-1155:
// ConditionalTokens.autonolas.json). The tests check that each one's selector is its TOPIC0.

export const ORDER_FILLED_V1_ABI = [
  {
    type: 'event',
    name: 'OrderFilled',
    anonymous: false,
    inputs: [
      { indexed: true, name: 'orderHash', type: 'bytes32' },
      { indexed: true, name: 'maker', type: 'address' },
      { indexed: true, name: 'taker', type: 'address' },
      { indexed: false, name: 'makerAssetId', type: 'uint256' },
      { indexed: false, name: 'takerAssetId', type: 'uint256' },
      { indexed: false, name: 'makerAmountFilled', type: 'uint256' },
      { indexed: false, name: 'takerAmountFilled', type: 'uint256' },
      { indexed: false, name: 'fee', type: 'uint256' },
    ],
  },
] as const

export const ORDER_FILLED_V2_ABI = [
  {
    type: 'event',
    name: 'OrderFilled',
    anonymous: false,
    inputs: [
      { indexed: true, name: 'orderHash', type: 'bytes32' },
      { indexed: true, name: 'maker', type: 'address' },
      { indexed: true, name: 'taker', type: 'address' },
      { indexed: false, name: 'side', type: 'uint8' },
      { indexed: false, name: 'tokenId', type: 'uint256' },
      { indexed: false, name: 'makerAmountFilled', type: 'uint256' },
      { indexed: false, name: 'takerAmountFilled', type: 'uint256' },
      { indexed: false, name: 'fee', type: 'uint256' },
      { indexed: false, name: 'builder', type: 'bytes32' },
      { indexed: false, name: 'metadata', type: 'bytes32' },
    ],
  },
] as const

export const ERC1155_TRANSFER_ABI = [
  {
    type: 'event',
    name: 'TransferSingle',
    anonymous: false,
    inputs: [
      { indexed: true, name: 'operator', type: 'address' },
      { indexed: true, name: 'from', type: 'address' },
      { indexed: true, name: 'to', type: 'address' },
      { indexed: false, name: 'id', type: 'uint256' },
      { indexed: false, name: 'value', type: 'uint256' },
    ],
  },
  {
    type: 'event',
    name: 'TransferBatch',
    anonymous: false,
    inputs: [
      { indexed: true, name: 'operator', type: 'address' },
      { indexed: true, name: 'from', type: 'address' },
      { indexed: true, name: 'to', type: 'address' },
      { indexed: false, name: 'ids', type: 'uint256[]' },
      { indexed: false, name: 'values', type: 'uint256[]' },
    ],
  },
] as const

// Who is behind a wallet. Polymarket users trade through a contract wallet made by one of two
// factories (Polymarket/proxy-factories README "Deployments"; addresses, deployment blocks and
// transactions from Polymarket/polymarket-subgraph networks.yaml, `matic.ProxyWalletFactory`,
// `matic.ProxyWalletImplementation`, `matic.RelayHub`, `matic.SafeProxyFactory`):
//   - the Polymarket proxy wallet factory (email / Magic users). It emits no event naming the owner
//     (packages/proxy-factory/contracts/ProxyWallet/ProxyWalletFactory.sol): users call its
//     `proxy(calls)` through the GSN v1 RelayHub, which logs TransactionRelayed(relay, from, to, …)
//     with `from` the user's EOA and `to` the factory; the wallet is a CREATE2 clone whose salt is
//     keccak256(abi.encodePacked(owner)) (FactoryLib.sol create2Clone / deriveInstanceAddress). So
//     the owner is read from the relayed call and the wallet derived from it, exactly as Polymarket's
//     own wallet subgraph does (wallet-subgraph/src/RelayHub.ts: handleTransactionRelayed, to ==
//     factory, computeProxyWalletAddress(from)).
//   - the Polymarket Gnosis Safe factory (browser-wallet users), whose createProxy emits
//     ProxyCreation(GnosisSafe proxy, address owner), both in the data
//     (packages/safe-factory/contracts/SafeProxyFactory.sol; wallet-subgraph/src/SafeProxyFactory.ts
//     reads `owner` as the wallet's signer). Gnosis' own factories name the singleton there instead:
//     only logs of this address are read.

/** Polymarket proxy wallet factory (networks.yaml `matic.ProxyWalletFactory`). */
export const PROXY_WALLET_FACTORY: Address = '0xab45c5a4b0c941a2f231c04c3f49182e1a254052'
/** The implementation every proxy wallet clones (networks.yaml `matic.ProxyWalletImplementation`). */
export const PROXY_WALLET_IMPLEMENTATION: Address = '0x44e999d5c2f66ef0861317f9a4805ac2e90aeb4f'
/** The GSN v1 RelayHub the proxy wallets' calls go through (networks.yaml `matic.RelayHub`). */
export const GSN_RELAY_HUB: Address = '0xd216153c06e857cd7f72665e0af1d7d82172f494'
/** Polymarket's Gnosis Safe factory (networks.yaml `matic.SafeProxyFactory`). */
export const SAFE_PROXY_FACTORY: Address = '0xaacfeea03eb1561c4e67d661e40682bd20e3541b'
/** Deployment of the proxy wallet factory, tx 0xda92d529…4d99: no proxy wallet is older. */
export const PROXY_WALLET_FACTORY_BLOCK = 4_022_827
/** Deployment of the Safe factory, tx 0xddcfc612…fe5f. */
export const SAFE_PROXY_FACTORY_BLOCK = 19_426_226

/**
 * keccak256 of a proxy wallet's creation code: FactoryLib.computeCreationCode(factory,
 * implementation) — the 99-byte clone prefix around both addresses, then
 * abi.encodeWithSignature("cloneConstructor(bytes)", "") — the same constant Polymarket's clients
 * derive proxy addresses with (a test rebuilds it from FactoryLib's bytes).
 */
export const PROXY_WALLET_INIT_CODE_HASH: Hash =
  '0xd21df8dc65880a8606f09fe0ce3df9b8869287ab0b058be05aa9e8af6330a00b'

export const WALLET_EVENT_SIGNATURES = Object.freeze({
  /** SafeProxyFactory.sol: `event ProxyCreation(GnosisSafe proxy, address owner)`. */
  proxyCreation: 'ProxyCreation(address,address)',
  /**
   * OpenZeppelin GSN v1 IRelayHub: `event TransactionRelayed(address indexed relay, address indexed
   * from, address indexed to, bytes4 selector, RelayCallStatus status, uint256 charge)`; the enum is
   * a uint8 in the ABI.
   */
  transactionRelayed: 'TransactionRelayed(address,address,address,bytes4,uint8,uint256)',
} as const)

export const WALLET_TOPIC0: Readonly<Record<keyof typeof WALLET_EVENT_SIGNATURES, Hash>> = Object.freeze({
  proxyCreation: toEventSelector(WALLET_EVENT_SIGNATURES.proxyCreation),
  transactionRelayed: toEventSelector(WALLET_EVENT_SIGNATURES.transactionRelayed),
})

export const PROXY_CREATION_ABI = [
  {
    type: 'event',
    name: 'ProxyCreation',
    anonymous: false,
    inputs: [
      { indexed: false, name: 'proxy', type: 'address' },
      { indexed: false, name: 'owner', type: 'address' },
    ],
  },
] as const

export const TRANSACTION_RELAYED_ABI = [
  {
    type: 'event',
    name: 'TransactionRelayed',
    anonymous: false,
    inputs: [
      { indexed: true, name: 'relay', type: 'address' },
      { indexed: true, name: 'from', type: 'address' },
      { indexed: true, name: 'to', type: 'address' },
      { indexed: false, name: 'selector', type: 'bytes4' },
      { indexed: false, name: 'status', type: 'uint8' },
      { indexed: false, name: 'charge', type: 'uint256' },
    ],
  },
] as const

/**
 * The eth_getLogs filter of the wallet owners: the Safe factory's creations and the RelayHub's
 * relayed calls. Calls relayed to other recipients come too (one filter cannot ask for topic3 of
 * one event only); the decoder keeps those addressed to the proxy wallet factory.
 */
export const WALLET_OWNERS_FILTER = Object.freeze({
  address: [SAFE_PROXY_FACTORY, GSN_RELAY_HUB] as const,
  topics: [[WALLET_TOPIC0.proxyCreation, WALLET_TOPIC0.transactionRelayed]] as const,
})
// From Polymarket/polymarket-subgraph abis/FixedProductMarketMakerFactory.json and
// abis/FixedProductMarketMaker.json (names, types and `indexed` as declared there).
export const FPMM_ABI = [
  {
    type: 'event',
    name: 'FixedProductMarketMakerCreation',
    anonymous: false,
    inputs: [
      { indexed: true, name: 'creator', type: 'address' },
      { indexed: false, name: 'fixedProductMarketMaker', type: 'address' },
      { indexed: true, name: 'conditionalTokens', type: 'address' },
      { indexed: true, name: 'collateralToken', type: 'address' },
      { indexed: false, name: 'conditionIds', type: 'bytes32[]' },
      { indexed: false, name: 'fee', type: 'uint256' },
    ],
  },
  {
    type: 'event',
    name: 'FPMMBuy',
    anonymous: false,
    inputs: [
      { indexed: true, name: 'buyer', type: 'address' },
      { indexed: false, name: 'investmentAmount', type: 'uint256' },
      { indexed: false, name: 'feeAmount', type: 'uint256' },
      { indexed: true, name: 'outcomeIndex', type: 'uint256' },
      { indexed: false, name: 'outcomeTokensBought', type: 'uint256' },
    ],
  },
  {
    type: 'event',
    name: 'FPMMSell',
    anonymous: false,
    inputs: [
      { indexed: true, name: 'seller', type: 'address' },
      { indexed: false, name: 'returnAmount', type: 'uint256' },
      { indexed: false, name: 'feeAmount', type: 'uint256' },
      { indexed: true, name: 'outcomeIndex', type: 'uint256' },
      { indexed: false, name: 'outcomeTokensSold', type: 'uint256' },
    ],
  },
  {
    type: 'event',
    name: 'FPMMFundingAdded',
    anonymous: false,
    inputs: [
      { indexed: true, name: 'funder', type: 'address' },
      { indexed: false, name: 'amountsAdded', type: 'uint256[]' },
      { indexed: false, name: 'sharesMinted', type: 'uint256' },
    ],
  },
  {
    type: 'event',
    name: 'FPMMFundingRemoved',
    anonymous: false,
    inputs: [
      { indexed: true, name: 'funder', type: 'address' },
      { indexed: false, name: 'amountsRemoved', type: 'uint256[]' },
      { indexed: false, name: 'collateralRemovedFromFeePool', type: 'uint256' },
      { indexed: false, name: 'sharesBurnt', type: 'uint256' },
    ],
  },
] as const
