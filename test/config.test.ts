import { describe, expect, it } from "vitest";
import { canonicalHosts, parseConfig } from "../src/config.ts";

describe("parseConfig", () => {
  it("has working offline defaults", () => {
    expect(parseConfig({})).toMatchObject({ LANCEDB_URI: "./data/lancedb", KNOWLEDGE_DIR: "./knowledge", EMBEDDING_PROVIDER: "local" });
  });

  it("bounds a chat answer by one overall deadline of at most 15 s unless configured", () => {
    expect(parseConfig({}).ANSWER_TIMEOUT_MS).toBeLessThanOrEqual(15_000);
    expect(parseConfig({ ANSWER_TIMEOUT_MS: "5000" }).ANSWER_TIMEOUT_MS).toBe(5_000);
    expect(() => parseConfig({ ANSWER_TIMEOUT_MS: "soon" })).toThrow(/ANSWER_TIMEOUT_MS is invalid.*milliseconds/);
  });

  it.each([
    [{ EMBEDDING_PROVIDER: "bert" }, /EMBEDDING_PROVIDER is invalid \(got "bert"\): expected local or openai/],
    [{ OPENAI_BASE_URL: "localhost:11434" }, /OPENAI_BASE_URL is invalid.*http\(s\) URL/],
    [{ OPENAI_TIMEOUT_MS: "-5" }, /OPENAI_TIMEOUT_MS is invalid.*positive whole number/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL is invalid/],
    [{ EMBEDDING_PROVIDER: "openai" }, /OPENAI_API_KEY is missing/],
    [{ INGEST_ALLOW_PRIVATE_HOSTS: "yes" }, /INGEST_ALLOW_PRIVATE_HOSTS is invalid \(got "yes"\): expected true or false/],
    [{ INGEST_CANONICAL_HOSTS: "https://example.com/" }, /INGEST_CANONICAL_HOSTS is invalid.*registrable domains/],
    [{ INGEST_MAX_URLS: "0" }, /INGEST_MAX_URLS is invalid.*positive whole number/],
    [{ INGEST_MAX_CHUNKS_PER_PAGE: "many" }, /INGEST_MAX_CHUNKS_PER_PAGE is invalid/],
  ])("names the bad variable and the expected form: %o", (env, message) => {
    expect(() => parseConfig(env)).toThrow(message);
  });

  it("never repeats a secret in its message", () => {
    try {
      parseConfig({ OPENAI_API_KEY: "sk-secret-value", OPENAI_MAX_RETRIES: "99" });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain("sk-secret-value");
      expect(String(error)).toMatch(/OPENAI_MAX_RETRIES/);
    }
  });

  it("ingest guards: private hosts refused and canonical links on their own site by default", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({ INGEST_ALLOW_PRIVATE_HOSTS: "false", INGEST_MAX_URLS: 1000, INGEST_MAX_CHUNKS_PER_PAGE: 1000 });
    expect(canonicalHosts(config)).toEqual(new Set());
    expect(canonicalHosts(parseConfig({ INGEST_CANONICAL_HOSTS: " Example.com, mirror.example.org ,*" }))).toEqual(
      new Set(["example.com", "mirror.example.org", "*"]),
    );
  });

  it("treats empty values as unset", () => {
    expect(parseConfig({ LANCEDB_URI: "", EMBEDDING_PROVIDER: " " }).LANCEDB_URI).toBe("./data/lancedb");
  });
});
