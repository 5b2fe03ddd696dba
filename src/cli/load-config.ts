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
