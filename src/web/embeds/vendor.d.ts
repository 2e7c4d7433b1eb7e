/** Types for the two libraries of the embeds that ship none. */

declare module 'anafanafo' {
  /** The width in pixels of `text` set in `font` (`11px Verdana`, …), from the font's metrics. */
  function measure(text: string, options: { font: '10px Verdana' | 'bold 10px Verdana' | '11px Verdana' | 'bold 11px Helvetica'; guess?: boolean }): number;
  export = measure;
}

declare module 'color-name' {
  /** The CSS named colours (CSS Color Module Level 4), each as [red, green, blue]. */
  const colours: Readonly<Record<string, readonly [number, number, number]>>;
  export default colours;
}
