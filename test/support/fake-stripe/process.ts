// The fake Stripe in a process of its own (benchmarks: Stripe is remote, so
// its work must not share the reporter's event loop). Prints one JSON line,
// { url, secretKey, control }, then serves until killed. `control` answers
// GET /summary (meter events held, their value's sum, identifiers refused as
// repeats), GET /events (each held event's identifier and value) and POST
// /latency?ms=N.
import { startFakeStripe } from "./server"

const fake = await startFakeStripe({ retryAfterSeconds: 0 })
const control = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (req) => {
    const url = new URL(req.url)
    if (url.pathname === "/summary")
      return Response.json({
        events: fake.meterEvents.length,
        sum: String(fake.meterEvents.reduce((sum, e) => sum + BigInt(e.payload.value!), 0n)),
        duplicates: fake.counters.duplicateIdentifiers,
        maxInFlightPerCustomer: fake.counters.maxInFlightPerCustomer,
      })
    if (url.pathname === "/events") return Response.json(fake.meterEvents.map((e) => ({ identifier: e.identifier, value: String(e.payload.value) })))
    if (url.pathname === "/latency" && req.method === "POST") {
      fake.setLatency(Number(url.searchParams.get("ms") ?? 0))
      return Response.json({ ok: true })
    }
    return new Response("not found", { status: 404 })
  },
})
console.log(JSON.stringify({ url: fake.url, secretKey: fake.secretKey, control: `http://127.0.0.1:${control.port}` }))
