/**
 * Turns a Discord message into search text: mentions, channel links, custom emoji, URLs, code fences, markdown
 * markers and greetings carry no meaning for retrieval and only add noise to a full-text query. Pure.
 */
const GREETING =
  /^(?:(?:hi|hey|hello|heya|hiya|yo|sup|howdy|greetings|good (?:morning|afternoon|evening)|hey there|hi there|hello there)(?:\s+(?:all|everyone|folks|guys|team|there|bot|docent))?[\s,!.:;-]*)+/i;
const POLITE_TAIL = /[\s,.;!-]*(?:thanks|thank you|thx|ty|cheers|pls|please)(?:\s+(?:in advance|so much|a lot))?[\s!.]*$/i;

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
  return text;
}
