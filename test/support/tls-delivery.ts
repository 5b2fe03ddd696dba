// Run as a child process with NODE_EXTRA_CA_CERTS=test/support/fixtures/test-ca.pem
// (Bun reads it at start): posts to two local https servers by address, one
// whose certificate names hooks.test and one whose certificate names
// other.test, each as the endpoint https://hooks.test:<port>. Prints the two
// attempts as JSON.
import { join } from "node:path"
import { postByAddress } from "../../src/modules/webhooks/delivery"

const fixtures = join(import.meta.dir, "fixtures")
const serve = (name: string) =>
  Bun.serve({ port: 0, hostname: "127.0.0.1", tls: { cert: Bun.file(join(fixtures, `${name}.pem`)), key: Bun.file(join(fixtures, `${name}.key`)) }, fetch: () => new Response(null, { status: 204 }) })
const right = serve("hooks.test")
const wrong = serve("other.test")
const request = { headers: { "content-type": "application/json" }, body: "{}", timeoutMs: 5_000 }
const result = {
  named: await postByAddress(`https://hooks.test:${right.port}/tdk-events`, ["127.0.0.1"], request),
  misnamed: await postByAddress(`https://hooks.test:${wrong.port}/tdk-events`, ["127.0.0.1"], request),
}
right.stop(true)
wrong.stop(true)
console.log(JSON.stringify(result))
