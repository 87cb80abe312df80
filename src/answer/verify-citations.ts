/**
 * Citation checks. Pure. A model's `[n]` must name a passage it was given; a quote must appear verbatim
 * (white space aside) in the stored text of the page it cites.
 */
export function citedNumbers(text: string): number[] {
  return [...text.matchAll(/\[(\d{1,2})\]/g)].map((m) => Number(m[1]));
}

export interface CitationCheck {
  ok: boolean;
  cited: number[];
  invalid: number[];
}

export function checkCitationNumbers(text: string, passageCount: number): CitationCheck {
  const cited = [...new Set(citedNumbers(text))];
  const invalid = cited.filter((n) => n < 1 || n > passageCount);
  return { ok: cited.length > 0 && invalid.length === 0, cited, invalid };
}

export function quoteIsVerbatim(quote: string, sourceText: string): boolean {
  const norm = (s: string) => s.replace(/\s+/g, " ").trim();
  return quote.trim() !== "" && norm(sourceText).includes(norm(quote));
}
