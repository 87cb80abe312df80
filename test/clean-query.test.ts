import { describe, expect, it } from "vitest";
import { cleanQuery } from "../src/retrieval/clean-query.ts";

describe("cleanQuery", () => {
  it.each([
    ["<@123456789012345678> does chatgpt business support MFA?", "does chatgpt business support MFA?"],
    ["hey all, bit of a legal q. which law applies?", "bit of a legal q. which law applies?"],
    ["Hi there! **How long** do you keep `prompts`?", "How long do you keep prompts?"],
    ["see https://example.com/x and <#123456789> for context: is ZDR available?", "see and for context: is ZDR available?"],
    ["```js\nconsole.log(key)\n```\nwhy does this leak?", "why does this leak?"],
    ["> quoted line\nmy question <:blob:123456>", "quoted line my question"],
    ["@everyone do you train on API data? thanks in advance!", "do you train on API data?"],
    ["[privacy portal](https://privacy.openai.com) how do I use it", "privacy portal how do I use it"],
  ])("%j → %j", (input, expected) => {
    expect(cleanQuery(input)).toBe(expected);
  });
});
