// Failing fast when a source never works: a Gamma URL that refuses connections or answers an HTML
// page to everything used to cost every unit its full retries (~6 minutes before the step gave up).
// When a source has not given one usable answer in this process and its attempts keep failing the
// same way for a while, it is declared down: the request that tips it, and every later one, throw
// SourceUnavailableError, which the steps treat as "stop, no unit will fare better". A source that
// has answered once is never declared down: a failure later in the night is an outage to ride out
// unit by unit, as before.
import { SourceUnavailableError } from '../../core/errors.ts'
import type { Failure } from './failure.ts'

/** Identical failed attempts, since the start, that declare a never-working source down. */
export const FAIL_FAST_ATTEMPTS = 8
/**
 * …and the time they must span: a server restarting or a network blip lasts seconds, so a failure
 * that has repeated for this long on every attempt (12 walkers retry with 1, 2, 4, 8 s backoffs:
 * ~10 attempts a second at first) is the source, not a blip.
 */
export const FAIL_FAST_SPAN_MS = 10_000

interface OriginState {
  answered: boolean
  signature: string | undefined
  count: number
  firstAt: number
  down: SourceUnavailableError | undefined
}

export interface SourceHealthOptions {
  /** Where the user set this source's URL, for the hint (`--gamma-url or GAMMA_URL`). */
  settingOf?: (origin: URL) => string | undefined
  now?: () => number
}

export class SourceHealth {
  readonly #origins = new Map<string, OriginState>()
  readonly #options: SourceHealthOptions

  constructor(options: SourceHealthOptions = {}) {
    this.#options = options
  }

  /** Throws the source's SourceUnavailableError once it was declared down. */
  check(url: URL): void {
    const down = this.#origins.get(url.host)?.down
    if (down) throw down
  }

  /** A usable answer came (or a well-formed refusal, such as a JSON-RPC error): the source works. */
  answered(url: URL): void {
    const state = this.#state(url)
    state.answered = true
    state.signature = undefined
    state.count = 0
  }

  /**
   * Records a failed attempt; returns the error that declares the source down when this attempt
   * tips it. `refusedPause`: the server asked for a longer pause than we grant, which counts as
   * failing (an ordinary 429 says the server works and breaks no streak).
   */
  failed(url: URL, failure: Failure, refusedPause = false): SourceUnavailableError | undefined {
    const state = this.#state(url)
    if (state.answered || state.down) return state.down
    if (failure.kind === 'rate-limited' && !refusedPause) return undefined
    const signature = `${failure.kind} ${failure.status ?? ''} ${failure.code ?? ''}`
    const now = this.#options.now?.() ?? performance.now()
    if (signature !== state.signature) {
      state.signature = signature
      state.count = 0
      state.firstAt = now
    }
    state.count++
    if (state.count < FAIL_FAST_ATTEMPTS || now - state.firstAt < FAIL_FAST_SPAN_MS) return undefined
    const seconds = ((now - state.firstAt) / 1_000).toFixed(0)
    // The advice is part of the message: steps list a failure by its message alone.
    const setting = this.#options.settingOf?.(url) ?? 'the URL'
    state.down = new SourceUnavailableError(
      url.host,
      `${url.host} answered every request the same way since the start: ${failure.reason}` +
        ` (${state.count} attempts over ${seconds} s); stopped — check ${setting}, and that the service is up`,
    )
    return state.down
  }

  #state(url: URL): OriginState {
    let state = this.#origins.get(url.host)
    if (!state) {
      state = { answered: false, signature: undefined, count: 0, firstAt: 0, down: undefined }
      this.#origins.set(url.host, state)
    }
    return state
  }
}
