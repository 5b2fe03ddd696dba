// Which wallet pays one attempt at a call, so that concurrent calls get
// distinct payments. A marketplace transaction carries no per-call data: the
// same wallet paying the same agent under the same recent blockhash is the
// same message, hence the same signature, and a chain processes it once. This
// in-process view spreads calls over wallets before anything is built; the
// unique signature index (usage_tx_signature_uq) is the arbiter across
// instances. Blockhashes are learnt from the transactions the marketplace
// builds: a newer one means every earlier claim is stale.
import { Context, Layer, Semaphore } from "effect"
import type { WalletRow } from "../../store/wallets/repo"

type Chosen<W> = {
  readonly wallet: W
  /** False when every candidate had a payment to this agent in flight or under the newest blockhash seen. */
  readonly free: boolean
}

export class PaymentLanesState {
  /** agent → wallet → attempts between choice and claim. */
  private readonly building = new Map<string, Map<string, number>>()
  /** agent → wallet → blockhash (hex) of its last claimed payment to the agent. */
  private readonly lastClaim = new Map<string, Map<string, string>>()
  /** agent → the newest blockhash (hex) a build for it carried. */
  private readonly latest = new Map<string, string>()
  private turn = 0
  /** agent → wallet → one attempt at a time: contenders for one lane queue instead of rebuilding in a herd. */
  private readonly gates = new Map<string, Semaphore.Semaphore>()
  // Per pool: live and test keys never pay from each other's wallets.
  private readonly alternatives = new Map<string, { readonly rows: ReadonlyArray<WalletRow>; readonly until: number; readonly writes: number }>()

  /**
   * A pool's paying wallets, read at most every `ttlMs`, and again as soon as
   * this process wrote to wallets (`writes`: a balance check, an assignment);
   * other instances' changes show within `ttlMs`.
   */
  cachedAlternatives(pool: string, now: number, writes: number): ReadonlyArray<WalletRow> | undefined {
    const cached = this.alternatives.get(pool)
    return cached !== undefined && now < cached.until && cached.writes === writes ? cached.rows : undefined
  }

  rememberAlternatives(pool: string, rows: ReadonlyArray<WalletRow>, now: number, ttlMs: number, writes: number): void {
    this.alternatives.set(pool, { rows, until: now + ttlMs, writes })
  }

  isFree(agentId: string, walletId: string): boolean {
    if ((this.building.get(agentId)?.get(walletId) ?? 0) > 0) return false
    const latest = this.latest.get(agentId)
    return latest === undefined || this.lastClaim.get(agentId)?.get(walletId) !== latest
  }

  /**
   * The key's own wallet when it is free for this agent; else, when the call
   * may be paid by any wallet (`alternatives`), the next free one in turn;
   * else the own wallet all the same (its build tells whether the blockhash
   * moved on). The choice counts as building until `release`.
   */
  choose<W extends { readonly id: string }>(agentId: string, own: W, alternatives: ReadonlyArray<W> | undefined): Chosen<W> {
    let chosen: Chosen<W> = { wallet: own, free: this.isFree(agentId, own.id) }
    const others = chosen.free || !alternatives ? [] : alternatives.filter((w) => w.id !== own.id)
    if (others.length > 0) {
      const start = this.turn++ % others.length
      for (let i = 0; i < others.length; i++) {
        const w = others[(start + i) % others.length]!
        if (this.isFree(agentId, w.id)) {
          chosen = { wallet: w, free: true }
          break
        }
      }
    }
    const building = this.building.get(agentId) ?? new Map<string, number>()
    building.set(chosen.wallet.id, (building.get(chosen.wallet.id) ?? 0) + 1)
    this.building.set(agentId, building)
    return chosen
  }

  /** A build for `walletId` carried `blockhash`: "taken" when this wallet's payment to the agent under it is already claimed. */
  observe(agentId: string, walletId: string, blockhash: string): "fresh" | "taken" {
    this.latest.set(agentId, blockhash)
    return this.lastClaim.get(agentId)?.get(walletId) === blockhash ? "taken" : "fresh"
  }

  /** The payment of `walletId` to the agent under `blockhash` is claimed (by this call or, as the database said, another). */
  claimed(agentId: string, walletId: string, blockhash: string): void {
    const claims = this.lastClaim.get(agentId) ?? new Map<string, string>()
    claims.set(walletId, blockhash)
    this.lastClaim.set(agentId, claims)
  }

  /** The lane's gate: held from build to claim, and while waiting for the blockhash to move on. */
  gate(agentId: string, walletId: string): Semaphore.Semaphore {
    const key = `${agentId}|${walletId}`
    let gate = this.gates.get(key)
    if (gate === undefined) {
      gate = Semaphore.makeUnsafe(1)
      this.gates.set(key, gate)
    }
    return gate
  }

  release(agentId: string, walletId: string): void {
    const building = this.building.get(agentId)
    const n = building?.get(walletId) ?? 0
    if (n <= 1) building?.delete(walletId)
    else building!.set(walletId, n - 1)
  }
}

export class PaymentLanes extends Context.Service<PaymentLanes, PaymentLanesState>()("tdk/PaymentLanes") {
  static readonly layer = Layer.sync(PaymentLanes, () => new PaymentLanesState())
}
