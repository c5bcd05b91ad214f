// A manual clock for the limiter: time moves only when a test advances it.
import type { Clock } from '../../../extract/http/limiter.ts'

interface Timer {
  at: number
  callback: () => void
}

export class FakeClock implements Clock {
  time = 0
  readonly #timers = new Set<Timer>()
  #fired = 0
  #stall = { every: 0, ms: 0 }

  /** From now on every `every`-th timer fires `ms` late, as behind a blocked event loop. */
  stall(every: number, ms: number): void {
    this.#stall = { every, ms }
  }

  now(): number {
    return this.time
  }

  setTimer(callback: () => void, ms: number): unknown {
    const timer = { at: this.time + ms, callback }
    this.#timers.add(timer)
    return timer
  }

  clearTimer(handle: unknown): void {
    this.#timers.delete(handle as Timer)
  }

  /** Moves time forward, firing due timers in order and letting promise callbacks run. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms
    for (;;) {
      let next: Timer | undefined
      for (const timer of this.#timers) if (timer.at <= end && (!next || timer.at < next.at)) next = timer
      if (!next) break
      this.#timers.delete(next)
      this.#fired++
      const late = this.#stall.every > 0 && this.#fired % this.#stall.every === 0 ? this.#stall.ms : 0
      this.time = Math.max(this.time, Math.min(end, next.at + late))
      next.callback()
      await flush()
    }
    this.time = end
    await flush()
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}
