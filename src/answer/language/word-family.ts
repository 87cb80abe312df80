/**
 * Whether two terms are forms of one word that the lemmatizer and stemmer leave apart ("automat"/"automatic",
 * "competitor"/"compet"): both at least five letters, sharing a beginning of five letters or more that is at least
 * 80% of the shorter one. Synonym keys ("syn:…") never match this way. Pure.
 */
export function sameWordFamily(term: string, other: string): boolean {
  if (term.length < 5 || other.length < 5 || term.includes(":") || other.includes(":")) return false;
  const shorter = Math.min(term.length, other.length);
  let common = 0;
  while (common < shorter && term[common] === other[common]) common++;
  return common >= 5 && common >= 0.8 * shorter;
}
