// Where an Effect program's time goes, by span name: a Tracer that records
// each span's duration and its self time (duration minus its children's).
// Every `Effect.fn` step is a span, so this splits the gateway's pipeline into
// its steps without touching the code under test.
import { Exit, Layer, Option, Tracer } from "effect"

type Stat = { count: number; totalNs: bigint; selfNs: bigint; rootNs: bigint }

export const makeSpanProfile = () => {
  const stats = new Map<string, Stat>()
  const childNs = new WeakMap<object, bigint>()
  const state = { recording: false }

  class RecordingSpan extends Tracer.NativeSpan {
    override end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
      super.end(endTime, exit)
      if (!state.recording) return
      const duration = endTime - this.startTime
      const parent = Option.getOrUndefined(this.parent)
      if (parent) childNs.set(parent, (childNs.get(parent) ?? 0n) + duration)
      let s = stats.get(this.name)
      if (!s) stats.set(this.name, (s = { count: 0, totalNs: 0n, selfNs: 0n, rootNs: 0n }))
      if (!parent) s.rootNs += duration
      s.count++
      s.totalNs += duration
      s.selfNs += duration - (childNs.get(this) ?? 0n)
    }
  }

  const layer = Layer.succeed(Tracer.Tracer, Tracer.make({ span: (options) => new RecordingSpan(options) }))

  return {
    layer,
    start: () => {
      stats.clear()
      state.recording = true
    },
    stop: () => {
      state.recording = false
    },
    /** Total time in root spans whose name passes `include`, ms. */
    rootMs: (include: (name: string) => boolean = () => true) =>
      [...stats.entries()].reduce((sum, [name, s]) => (include(name) ? sum + Number(s.rootNs) / 1e6 : sum), 0),
    /** Per span name: calls, total and self time in ms, by self time descending. */
    report: () =>
      [...stats.entries()]
        .map(([name, s]) => ({ name, count: s.count, totalMs: Number(s.totalNs) / 1e6, selfMs: Number(s.selfNs) / 1e6 }))
        .sort((a, b) => b.selfMs - a.selfMs),
  }
}
