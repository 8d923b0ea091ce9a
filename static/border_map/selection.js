/* Pure helpers of the editors' review page: offsets of a selection in the article's text.
   The server counts offsets in code points (Python strings), the DOM in UTF-16 units: an emoji
   or another character beyond the BMP is one of the first and two of the second. */

/** How many code points the string has (its length as Python counts it). */
export function codePointLength(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** The offset in the article of a DOM position: `pieceStart` is the offset where the piece's
    text begins, `unitsIn` the UTF-16 offset inside that text. */
export function articleOffset(pieceStart, pieceText, unitsIn) {
  return pieceStart + codePointLength(pieceText.slice(0, unitsIn));
}

/** [start, end) with the white space at both ends of `selected` left out, or null when only
    white space is selected. `selected` is the selected text, starting at `start`. */
export function trimmedSpan(start, selected) {
  const lead = codePointLength(selected) - codePointLength(selected.trimStart());
  const body = selected.trim();
  if (!body) return null;
  const from = start + lead;
  return { start: from, end: from + codePointLength(body), text: body };
}

/** The URL of the claim form for a span of the article, with the quoted words to check. */
export function claimUrl(base, span) {
  const query = new URLSearchParams({
    start: String(span.start),
    end: String(span.end),
    quote: span.text,
  });
  return `${base}?${query}`;
}
