// The live Solana networks' addresses Tetto uses: the USDC mint and the
// protocol fee wallet (TETTO_PROTOCOL.md).

/** Mints and fee wallets per live network; the sandbox has its own. */
export const networkConstants = {
  mainnet: {
    usdcMint: "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
    protocolFeeWallet: "CYSnefexbvrRU6VxzGfvZqKYM4UixupvDeZg3sUSWm84",
  },
  devnet: {
    usdcMint: "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU",
    protocolFeeWallet: "BubFsAG8cSEH7NkLpZijctRpsZkCiaWqCdRfh8kUpXEt",
  },
} as const
