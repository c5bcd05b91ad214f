// The one way polyhouse waits: a timer that an abort signal cuts short. It never rejects, so each
// caller says what an interrupted wait means for it (the retry loop throws InterruptedError; a
// refreshing `status --watch` just stops).

/** Waits `ms`. Resolves true when the time passed, false as soon as `signal` aborts (or had). */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false)
  if (ms <= 0) return Promise.resolve(true)
  return new Promise((resolve) => {
    const finish = (elapsed: boolean) => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      resolve(elapsed)
    }
    const onAbort = () => finish(false)
    const timer = setTimeout(() => finish(true), ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
