// node-problem-detector keeps a plugin's stdout trimmed and cut at `max_output_length` *bytes* (80 in our config):
// a cut in the middle of a UTF-8 character or after a newline would garble the node condition's message.

/** The longest line `check` prints, NPD's `max_output_length`. */
export const MAX_LINE = 80;

/**
 * Makes `text` one line of printable ASCII (anything else becomes `?`, line breaks and tabs a space) of at most
 * `max` bytes, ending in `...` when it had to be cut.
 */
export function oneLine(text: string, max = MAX_LINE): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 3))}...`;
}

/** Cuts `text` to `max` characters keeping its end (a cgroup path's innermost part), with a leading `...`. */
export function keepEnd(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 3 ? text.slice(text.length - max) : `...${text.slice(text.length - (max - 3))}`;
}
