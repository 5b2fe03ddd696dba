// A progress bar for long CLI work, on standard error when it is a terminal;
// nothing otherwise (logs and pipes keep only the summary lines).

/** The bar's text for `done` of `total`. */
export const progressLine = (label: string, done: number, total: number, width = 30): string => {
  const filled = total <= 0 ? width : Math.min(width, Math.round((done / total) * width))
  return `${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}`
}

/** A callback drawing the bar as work is done; the line ends when all of it is. */
export const progress = (label: string, total: number, out: { readonly isTTY?: boolean; readonly write: (s: string) => unknown } = process.stderr) => {
  if (!out.isTTY || total <= 0) return (_done: number) => {}
  return (done: number) => {
    out.write(`\r${progressLine(label, done, total)}${done >= total ? "\n" : ""}`)
  }
}

/**
 * A progress callback for work whose size is known only once it reports
 * (`onProgress(done, total)`): the bar is made on the first report, and made
 * again if the total changes.
 */
export const progressAsReported = (label: string, out: { readonly isTTY?: boolean; readonly write: (s: string) => unknown } = process.stderr) => {
  let drawn: { readonly total: number; readonly draw: (done: number) => void } | undefined
  return (done: number, total: number) => {
    if (drawn?.total !== total) drawn = { total, draw: progress(label, total, out) }
    drawn.draw(done)
  }
}
