import { gatewayBenchmark } from "./gateway"
import { gatewayPostgresBenchmark } from "./gateway-postgres"
import { keysBenchmark } from "./keys"
import { poolBenchmark } from "./pool"
import { reporterBenchmark } from "./reporter"
import { usageReadsBenchmark } from "./usage-reads"

// Every benchmark the bench runner knows. Each returns rows for a table.
export type Benchmark = {
  readonly name: string
  readonly run: () => Promise<ReadonlyArray<Record<string, string | number>>>
}

export const benchmarks: ReadonlyArray<Benchmark> = [poolBenchmark, keysBenchmark, gatewayBenchmark, gatewayPostgresBenchmark, usageReadsBenchmark, reporterBenchmark]
