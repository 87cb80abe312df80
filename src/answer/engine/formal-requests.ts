import type { FormalRequest, FormalRequestKind } from "../answer-types.ts";

/**
 * Recognises formal privacy and security requests (access, deletion, opting out of training, reporting a
 * vulnerability) so the answer leads with the official channel. Pure; patterns describe the request types,
 * not particular questions.
 */
const REQUESTS: Array<{ kind: FormalRequestKind; pattern: RegExp; searchHint: string; lead: string }> = [
  {
    kind: "vulnerability",
    pattern:
      /\b(?:report|disclos\w*|found|discover\w*|submit)\b.{0,60}\b(?:vulnerabilit\w*|vulns?|security (?:bug|issue|flaw|hole|incident)|exploit)|\bbug bount(?:y|ies)\b|\bresponsible disclosure\b|\bcoordinated (?:vulnerability )?disclosure\b/i,
    searchHint: "report security vulnerability coordinated disclosure bug bounty program",
    lead: "To report a security vulnerability, use the official disclosure channel:",
  },
  {
    kind: "training-opt-out",
    pattern:
      /\bopt(?:-|\s)?out\b.{0,60}\b(?:train\w*|model improvement|improve the model)|\b(?:stop|prevent|not|never)\b.{0,40}\b(?:train\w*)\b.{0,20}\b(?:on )?(?:my|our)\b/i,
    searchHint: "opt out of training privacy portal data controls settings improve the model",
    lead: "To opt out of having your content used for training, use the official controls:",
  },
  {
    kind: "deletion",
    pattern:
      /\b(?:delete|erase|erasure|remove|wipe|purge)\b.{0,50}\b(?:my|our|all)\b.{0,40}\b(?:data|account|information|info|chats?|history|conversations?)\b|\bright to (?:be forgotten|erasure)\b/i,
    searchHint: "request deletion of personal data privacy portal email",
    lead: "To ask for your personal data to be deleted, use the official privacy request channel:",
  },
  {
    kind: "access",
    pattern:
      /\b(?:export|copy|access|download|obtain|request|get)\b.{0,50}\b(?:my|all)\b.{0,50}\b(?:personal (?:data|info\w*)|data|information)\b.{0,40}\b(?:stores?|holds?|has|have|collected|about me)\b|\bsubject access\b|\bdsar\b/i,
    searchHint: "request access to personal data privacy portal email export",
    lead: "To request a copy of your personal data, use the official privacy request channel:",
  },
];

export function recogniseFormalRequest(question: string): FormalRequest | null {
  for (const request of REQUESTS) {
    if (request.pattern.test(question)) return { kind: request.kind, searchHint: request.searchHint, lead: request.lead };
  }
  return null;
}

/** An email address or web address in a passage: what "official channel" means in practice. */
export const CHANNEL_PATTERN = /[\w.+-]+@[\w-]+\.[\w.]+|https?:\/\/\S+|\b[a-z][\w-]*\.[a-z][\w-]*\.(?:com|ai|dev|org|io|net)\b|\bBugcrowd\b/i;
