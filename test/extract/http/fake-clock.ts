// A manual clock for the limiter: time moves only when a test advances it.
import type { Clock } from '../../../extract/http/limiter.ts'

interface Timer {
  at: number
  callback: () => void
}

export class FakeClock implements Clock {
  time = 0
  readonly #timers = new Set<Timer>()

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
      this.time = Math.max(this.time, next.at)
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
