import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { redact, redactQuestion } from "../src/answer/guards/redact.ts";
import { DEV_QUESTIONS, sharedCorpusAvailable } from "./support/fixtures.ts";
import { PRODUCT_QUESTIONS, VARIANTS_BY_CATEGORY } from "./support/redaction-corpus.ts";

/**
 * Realistic pastes: each row is a question as a member might write it and the piece of it that must not survive
 * redaction. The count of leaks is printed so a regression shows as a number, not only as a red test.
 */
const VARIANTS: Array<[question: string, secret: string]> = [
  // Cards: separators or none, expiry, security code.
  ["card 4111 1111 1111 1111 exp 11/27 — will my trial be billed?", "4111 1111 1111 1111"],
  ["card 4111 1111 1111 1111 exp 11/27 — will my trial be billed?", "11/27"],
  ["I added 5555555555554444 as payment, is it stored by OpenAI?", "5555555555554444"],
  ["paid with 5555-5555-5555-4444 11/27 cvv 123, does billing data go to Stripe?", "5555-5555-5555-4444"],
  ["paid with 5555-5555-5555-4444 11/27 cvv 123, does billing data go to Stripe?", "cvv 123"],
  ["my amex 378282246310005 got charged twice, who processes payments?", "378282246310005"],
  ["card ending... actually the full one is 4000 0566 5566 5556, CVC 737, is that logged?", "737"],
  ["visa 4242424242424242 expires 03/29 — do you keep card data?", "03/29"],
  // Emails, plain and obfuscated.
  ["reach me at priya.nair@acme-corp.io about the DPA", "priya.nair@acme-corp.io"],
  ["email is priya dot nair at acme dot com, can you send the DPA", "acme dot com"],
  ["contact jdoe[at]example.com for our BAA question", "jdoe[at]example.com"],
  ["write to jdoe(at)example(dot)org please", "jdoe(at)example"],
  ["send it to ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ thanks", "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ"],
  ["mail me: tom.becker at example.org — is retention 30 days?", "tom.becker at example.org"],
  ["my work mail is anna.k@firma.de, does Azure store prompts?", "anna.k@firma.de"],
  ["contact me on bob{at}corp{dot}net about ZDR", "bob{at}corp{dot}net"],
  ["reach me at sam@example.com​ (zero width after) about SOC 2", "sam@example.com"],
  // Phones.
  ["call me on 5551234567 about the enterprise plan", "5551234567"],
  ["my number is 07700 900123, can someone call me about data deletion?", "07700 900123"],
  ["whatsapp +49 151 23456789 if you need my account details", "+49 151 23456789"],
  ["US office (415) 555-0132, does the DPA cover subprocessors?", "(415) 555-0132"],
  ["phone: +1-202-555-0143 — is my chat history used for training?", "+1-202-555-0143"],
  ["ring me 020 7946 0958 about GDPR Article 28", "020 7946 0958"],
  ["text me at +91 98765 43210 re: data residency in India", "+91 98765 43210"],
  ["my mobile is 0612345678, does OpenAI keep my phone number?", "0612345678"],
  // Provider keys and tokens.
  ["AWS keys: AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY — does Bedrock log prompts?", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
  ["AWS keys: AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY — does Bedrock log prompts?", "AKIAIOSFODNN7EXAMPLE"],
  ["Authorization: Bearer abc123xyz is what I send, is it logged?", "abc123xyz"],
  ["curl -H 'Authorization: Bearer sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t' https://api.openai.com/v1/models", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t"],
  ["stripe says sk_live_51H8xYzAbCdEfGhIjKlMnOpQr leaked, is OpenAI affected?", "sk_live_51H8xYzAbCdEfGhIjKlMnOpQr"],
  ["restricted key rk_live_4eC39HqLyjWDarjtT1zdp7dc, who can see it?", "rk_live_4eC39HqLyjWDarjtT1zdp7dc"],
  ["publishable pk_live_TYooMQauvdEDq54NiTphI7jx in our frontend ok?", "pk_live_TYooMQauvdEDq54NiTphI7jx"],
  ["our org id is org-AbCdEfGhIjKlMnOpQrStUvWx, is data per org?", "org-AbCdEfGhIjKlMnOpQrStUvWx"],
  ["user id user-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2 shows in logs, is that personal data?", "user-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2"],
  ["github token ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 in a prompt, is it retained?", "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"],
  [
    "slack bot xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx forwards messages to the API, ok?",
    "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
  ],
  [
    "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U leaked",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
  ],
  ["key sk-proj-9fK2\u200bmQ7xLp4Rt8Vw1Zy6Bn3Hc5 (copied from the dashboard), is it safe?", "9fK2\u200bmQ7xLp4Rt8Vw1Zy6Bn3Hc5"],
  ["key s\u200bk-proj-9fK2mQ7xLp4Rt8Vw1Zy6Bn3Hc5 is in my repo", "9fK2mQ7xLp4Rt8Vw1Zy6Bn3Hc5"],
  ["google key AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY in the client, does Gemini log it?", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"],
  ["hf token hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 for fine tuning", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"],
  ["api_key = 'a8f5f167f44f4964e6c998dee827110c' is in our config", "a8f5f167f44f4964e6c998dee827110c"],
  ["token: 9c1e7b3a2f on the staging server, can support see it?", "9c1e7b3a2f"],
  // Passwords.
  ["my password is hunter2, can OpenAI staff see my account?", "hunter2"],
  ["pw: Tr0ub4dor&3 — is it stored in plain text?", "Tr0ub4dor&3"],
  ["the admin password is Sommer2024! and I pasted it in a prompt", "Sommer2024!"],
  ["My password is correcthorsebatterystaple — do you log prompts?", "correcthorsebatterystaple"],
  ["password=Qwerty!234 got into a chat, how do I delete it?", "Qwerty!234"],
  // Bank and identity numbers.
  ["refund to DE89 3704 0044 0532 0130 00 please, which entity bills EU customers?", "DE89 3704 0044 0532 0130 00"],
  ["IBAN GB82WEST12345698765432 for the invoice, is billing data shared?", "GB82WEST12345698765432"],
  ["my SSN 123-45-6789 was in a prompt, how do I get it deleted?", "123-45-6789"],
  ["ssn 123456789 accidentally sent to the API, is it kept 30 days?", "123456789"],
  ["passport number X12345678 was in an uploaded file, is it retained?", "X12345678"],
  ["my passport no. is 533380006 — does ZDR cover files?", "533380006"],
  ["national insurance number QQ 12 34 56 C in a transcript, is it deleted?", "QQ 12 34 56 C"],
  // Dates of birth.
  ["I was born on 14 March 1987, does age verification keep that?", "14 March 1987"],
  ["DOB 03/14/1987 is in my profile, who can access it?", "03/14/1987"],
  ["date of birth: 1987-03-14, is it used for training?", "1987-03-14"],
  ["born on March 14, 1987 — does OpenAI store birthdays?", "March 14, 1987"],
  // Network identifiers.
  ["our server 203.0.113.42 calls the API, is the IP logged?", "203.0.113.42"],
  ["requests come from 2001:db8::8a2e:370:7334, is IPv6 logged?", "2001:db8::8a2e:370:7334"],
  ["from fe80::1ff:fe23:4567:890a only, does Azure keep IPs?", "fe80::1ff:fe23:4567:890a"],
  ["our endpoint https://acme-prod.openai.azure.com/openai/deployments/gpt4 keeps failing, is data stored?", "acme-prod.openai.azure.com"],
  ["proxy https://admin:s3cretP4ss@proxy.acme.io:8080 in front of the API, ok?", "s3cretP4ss"],
  // Addresses.
  ["send the DPA to 221B Baker Street, London NW1 6XE", "221B Baker Street"],
  ["send the DPA to 221B Baker Street, London NW1 6XE", "NW1 6XE"],
  ["our office is 1600 Amphitheatre Parkway, Mountain View CA 94043 — which entity contracts?", "1600 Amphitheatre Parkway"],
  ["i live at 12 oak street, does the API know my location?", "12 oak street"],
  ["ship the hardware key to 742 Evergreen Terrace please", "742 Evergreen Terrace"],
  ["post to ul. Długa 14/3, 00-238 Warszawa", "Długa 14/3"],
  // Names.
  ["I am Priya Sharma, can I get my data exported?", "Priya Sharma"],
  ["hi, this is Priya from Acme — do you train on our data?", "Priya"],
  ["My name's Carlos Eduardo Mendes and I want my data deleted", "Carlos Eduardo Mendes"],
  ["i am priya sharma from acme, where do I send a deletion request?", "priya sharma"],
  ["my name is ana maria costa, how long are chats kept?", "ana maria costa"],
  ["hey it's tom here, is there a DPA for teams?", "tom"],
  ["Is retention 30 days for the API?\nThanks,\nJohn Smith", "John Smith"],
  ["Does ZDR cover embeddings? Regards, Okonkwo Chidi", "Okonkwo Chidi"],
  ["Marta Kowalczyk here — i want an export of my data", "Marta Kowalczyk"],
  ["I'm Sven Andersson, is my data processed in the EU?", "Sven Andersson"],
  ["this is dr. alan reyes, does the BAA cover us? Cheers, Alan Reyes", "Alan Reyes"],
  ["my name is Zhang Wei and I need the subprocessor list", "Zhang Wei"],
  ["Thanks in advance!\n— Aarav Patel", "Aarav Patel"],
  ["Hello, I am Fatima Al-Sayed, our clinic uses the API with PHI, is there a BAA?", "Fatima Al-Sayed"],
  ["Kind regards,\nJean-Luc Picard", "Jean-Luc Picard"],
];

/** What survives redaction of each row's secret: the secret itself, or its digits/letters without separators. */
function leaked(question: string, secret: string): boolean {
  const out = redact(question).text;
  if (out.includes(secret)) return true;
  const core = secret.replace(/[\s\u200b]/g, "");
  return core.length >= 6 && out.replace(/[\s\u200b]/g, "").includes(core);
}

describe("redaction of realistic pastes", () => {
  it(`leaks none of ${VARIANTS.length} variants`, () => {
    expect(VARIANTS.length).toBeGreaterThanOrEqual(80);
    const leaks = VARIANTS.filter(([question, secret]) => leaked(question, secret));
    console.log(`redaction variants: ${VARIANTS.length}, leaks: ${leaks.length}`);
    expect(leaks.map(([question, secret]) => ({ secret, redacted: redact(question).text }))).toEqual([]);
  });

  it("keeps ordinary privacy vocabulary intact", () => {
    const ordinary = [
      "Is SOC 2 Type 2 and ISO 27001 covered, with AES-256 at rest?",
      "Are files deleted after 30 days under GDPR Article 28?",
      "Does gpt-4o or gpt-4o-mini-2024-07-18 keep prompts? What about text-embedding-3-small?",
      "The policy updated on January 8, 2026 says 2026-01-08; what changed since May 2024?",
      "I am wondering whether the API keeps my prompts, this is important for us.",
      "I'm using Azure OpenAI in West Europe; is this covered by the EU Data Boundary?",
      "My password is reset every 90 days — does the admin console log it?",
      "What is the retention for /v1/evals and /v1/files?",
      "Thanks, really appreciate any help!",
      "Is my name stored when I use ChatGPT Enterprise?",
      "call the support team? or is there a form at https://privacy.openai.com for deletion",
    ];
    for (const text of ordinary) expect(redact(text), text).toEqual({ text, kinds: [] });
  });

  it("gives the search text without labels", () => {
    const result = redactQuestion("mail jdoe@example.com about ZDR");
    expect(result.text).toBe("mail [email] about ZDR");
    expect(result.searchText).toBe("mail   about ZDR");
  });
});

describe("redaction of round-two pastes, by category", () => {
  describe.each(Object.entries(VARIANTS_BY_CATEGORY))("%s", (_category, rows) => {
    it.each(rows)("redacts %j", (question, secret) => {
      expect(leaked(question, secret), redact(question).text).toBe(false);
    });
  });
});

describe("questions naming products and providers", () => {
  it.each(PRODUCT_QUESTIONS)("keep every word: %j", (question) => {
    expect(redact(question)).toEqual({ text: question, kinds: [] });
  });
});

describe.runIf(sharedCorpusAvailable())("redaction on the dev questions", () => {
  it("redacts nothing in ordinary (answerable, unanswerable and injection) questions", () => {
    const questions = readFileSync(DEV_QUESTIONS, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: string; kind: string; question: string })
      .filter((q) => ["answerable", "unanswerable", "injection"].includes(q.kind));
    const falseRedactions = questions.filter((q) => redact(q.question).kinds.length > 0);
    console.log(`dev questions: ${questions.length}, false redactions: ${falseRedactions.length}`);
    expect(falseRedactions.map((q) => ({ id: q.id, redacted: redact(q.question).text }))).toEqual([]);
  });
});
