// What a command's `run` receives: its words and the flags given (a switch
// as `true`, a value as its text), as effect/cli parsed them.
export type Args = { readonly words: ReadonlyArray<string>; readonly flags: Readonly<Record<string, string | true>> }
