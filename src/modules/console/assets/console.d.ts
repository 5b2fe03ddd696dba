// console.js is imported as text (routes/assets.ts).
declare const text: string
export default text
