import { MasterKeyConfigError, resolveMasterKeys } from "../modules/pool/keyring"
import { ConfigInvalid, loadConfig, type Config } from "../platform/config/config"

/** Loads the configuration or prints each problem on one line and exits 2. */
export const loadConfigOrExit = (): Config => {
  try {
    return loadConfig(process.env)
  } catch (e) {
    if (e instanceof ConfigInvalid) {
      for (const p of e.problems) process.stderr.write(`config error: ${p}\n`)
      process.exit(2)
    }
    throw e
  }
}

/**
 * `tdk serve`'s checks before it starts, which `tdk config check` runs too:
 * the configuration, then the master keys (read, never written). Each
 * problem on one line, exit 2.
 */
export const loadServeConfigOrExit = (): Config => {
  const config = loadConfigOrExit()
  try {
    resolveMasterKeys(config, { generate: false })
  } catch (e) {
    if (e instanceof MasterKeyConfigError) {
      process.stderr.write(`config error: ${e.message}\n`)
      process.exit(2)
    }
    throw e
  }
  return config
}
