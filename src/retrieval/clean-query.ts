/**
 * Turns a Discord message into search text: mentions, channel links, custom emoji, URLs, code fences, markdown
 * markers and greetings carry no meaning for retrieval and only add noise to a full-text query. Pure.
 */
const GREETING =
  /^(?:(?:hi|hey|hello|heya|hiya|yo|sup|howdy|greetings|good (?:morning|afternoon|evening)|hey there|hi there|hello there)(?:\s+(?:all|everyone|folks|guys|team|there|bot|docent))?[\s,!.:;-]*)+/i;
const POLITE_TAIL = /[\s,.;!-]*(?:thanks|thank you|thx|ty|cheers|pls|please)(?:\s+(?:in advance|so much|a lot))?[\s!.]*$/i;

/** A question that reports a claim heard elsewhere, and the claim itself. */
const REPORTED_CLAIM = /^.{0,200}?\b(?:saying|claiming|(?:says|said|claims?|claimed|heard|read|told (?:me|us)|mentioned|thinks?|thought)\s+that)\s+(.+)$/is;

export function cleanQuery(message: string): string {
  let text = message
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/<@[!&]?\d+>|<#\d+>|<a?:\w+:\d+>|<t:\d+(?::\w)?>/g, " ")
    .replace(/@(?:everyone|here)\b/gi, " ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\bhttps?:\/\/\S+|\bwww\.\S+/gi, " ")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/^\s*>+\s?/gm, "")
    .replace(/[*_~|]{1,3}/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  text = text.replace(GREETING, "").replace(POLITE_TAIL, "").trim();
  // "my boss read some article saying X" asks whether X holds: the story of where X was heard only adds noise.
  const claim = REPORTED_CLAIM.exec(text);
  if (claim?.[1] && claim[1].split(/\s+/).length >= 4) text = claim[1];
  return text;
}
