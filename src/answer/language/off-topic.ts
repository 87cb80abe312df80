/**
 * Requests a privacy-policy bot should not take on, whatever words they share with the pages: writing or fixing code,
 * everyday how-tos such as recipes, and support for someone's own account (locked out, billing, refunds, cancelling),
 * which only the provider's support team can handle. Pure; each pattern describes a kind of request, not a question.
 */
export type OffTopicKind = "code" | "everyday" | "account-support";

const KINDS: Array<{ kind: OffTopicKind; pattern: RegExp }> = [
  {
    kind: "code",
    pattern:
      /\b(?:write|give me|show me|generate|fix|debug)\b.{0,40}\b(?:code|script|function|regex|snippet|program|query|class)\b|\b(?:code|script|function|snippet)\b.{0,30}\b(?:to|that|which)\b.{0,30}\b(?:reverse|sort|parse|convert|print|center|loop)\b|\b(?:python|javascript|typescript|java|rust|golang|c\+\+|css|html|sql|react|node)\b.{0,40}\b(?:code|error|bug|function|snippet|not working|isn'?t working|doesn'?t work)\b/i,
  },
  { kind: "everyday", pattern: /\b(?:recipe|recipes|bake|baking|cook|cooking|weather forecast|capital of|horoscope)\b/i },
  {
    kind: "account-support",
    pattern:
      /\b(?:locked out|lost access|can'?t (?:log|sign) ?in|cannot (?:log|sign) ?in|reset my password|refund|charged (?:me )?twice|billing (?:issue|problem|error)|cancel (?:my )?(?:subscription|plan|premium|membership)|get my account back|hacked account|account (?:was |got )?(?:hacked|locked|suspended|banned))\b/i,
  },
];

export function offTopicKind(question: string): OffTopicKind | null {
  return KINDS.find(({ pattern }) => pattern.test(question))?.kind ?? null;
}
