// How deep a JSON text nests arrays and objects, found by one scan of the
// text (strings and their escapes skipped) that stops as soon as the limit is
// passed. Runs before JSON.parse: a 40 KB body of nested brackets parses
// quickly but makes schema validation and error reporting take seconds.

export const MAX_JSON_DEPTH = 64

/** True when `text` opens more than `max` arrays or objects inside one another. */
export const nestsDeeperThan = (text: string, max: number): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: the next character is escaped
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 91 || c === 123) {
      if (++depth > max) return true
    } else if (c === 93 || c === 125) depth--
  }
  return false
}
