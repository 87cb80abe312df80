import { describe, expect, it } from "vitest";
import { redact } from "../src/answer/guards/redact.ts";

describe("redact", () => {
  it.each([
    ["mail me at tom.becker.ops@example.org please", "mail me at [email] please", "email"],
    ["key sk-svcacct-Z3kP8wQ1mV6nR0tY4uB7cL2xJ9hF5dG3sA1eK8oI6 leaked", "key [secret] leaked", "secret"],
    ["oops sk-ant-api03-R8vNq2LxT5mW9cZ4pK7yH1bD6fJ3gS0aE8uQ-x2Yw4AA here", "oops [secret] here", "secret"],
    ["azure key 8f3c2a9d1e7b4f60a5c9d2e8b1f4a7c3 on prod", "azure key [secret] on prod", "secret"],
    ["card 5555 5555 5555 4444 exp 11/27 ok", "card [card number] ok", "card"],
    ["call +44 7700 900123 now", "call [phone] now", "phone"],
    ["phone 030 5550 1234)", "phone [phone])", "phone"],
    ["from 192.168.10.24 only", "from [ip address] only", "ip"],
    ["endpoint https://contoso-aoai-prod.openai.azure.com/ is ours", "endpoint [private url] is ours", "url-credential"],
    ["send to Dr. Alan Reyes, 1200 Harbor Blvd Suite 410, Oxnard CA 93035", "send to [name], [address], [address]", "address"],
    ["Marta Kowalczyk here (ul. Długa 14/3, 00-238 Warszawa)", "[name] here ([address], [address])", "name"],
  ])("%j", (input, expected, kind) => {
    const result = redact(input);
    expect(result.text).toBe(expected);
    expect(result.kinds).toContain(kind);
  });

  it.each([
    "Files are deleted after 30 days, updated 2026-01-08.",
    "Is SOC 2 Type 2 covering ISO 27001 and ISO/IEC 27701?",
    "What about GPT-4o and gpt-image-1 under section 12.3?",
    "A card that fails the Luhn check: 1234 5678 9012 3456.",
    "<@900000000000000001> asked in <#400000000000000001>, cc <@&500000000000000001>",
  ])("leaves ordinary text alone: %j", (input) => {
    expect(redact(input)).toEqual({ text: input, kinds: [] });
  });
});
