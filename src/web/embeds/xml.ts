/** Text written into an SVG. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * `text` as XML character data or an attribute value. Characters XML 1.0 forbids (C0 controls but
 * tab and line breaks) are dropped: one of them would make the whole image unreadable.
 */
export function escapeXml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (character) => ENTITIES[character]!);
}
