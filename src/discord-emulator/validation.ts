/**
 * Discord's message limits, enforced the way Discord reports them (HTTP 400, code 50035 "Invalid Form Body" with a
 * nested `errors` object), so a bot that would be rejected in production is rejected here too.
 */
import { ButtonStyle, ComponentType, MessageFlags, RESTJSONErrorCodes } from "discord-api-types/v10";
import type { ApiComponent, ApiEmbed } from "./types.ts";

/** A Discord JSON error body. */
export interface DiscordErrorBody {
  code: number;
  message: string;
  errors?: Record<string, unknown>;
}

/** Discord counts characters, not UTF-16 code units; code points are the closest cheap approximation. */
function charLength(value: string): number {
  return [...value].length;
}

/** Builds the nested `errors` object Discord uses: `{ embeds: { 0: { title: { _errors: [...] } } } }`. */
function setError(errors: Record<string, unknown>, path: Array<string | number>, code: string, message: string): void {
  let node = errors;
  for (const key of path) {
    const next = (node[String(key)] ?? {}) as Record<string, unknown>;
    node[String(key)] = next;
    node = next;
  }
  const list = (node["_errors"] ?? []) as Array<{ code: string; message: string }>;
  list.push({ code, message });
  node["_errors"] = list;
}

function checkMax(errors: Record<string, unknown>, path: Array<string | number>, value: unknown, max: number): void {
  if (typeof value === "string" && charLength(value) > max) {
    setError(errors, path, "BASE_TYPE_MAX_LENGTH", `Must be ${max} or fewer in length.`);
  }
}

function validateEmbeds(errors: Record<string, unknown>, embeds: unknown): void {
  if (!Array.isArray(embeds)) return;
  if (embeds.length > 10) {
    setError(errors, ["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.");
    return;
  }
  let total = 0;
  const count = (value: unknown): void => {
    if (typeof value === "string") total += charLength(value);
  };
  for (const [index, raw] of embeds.entries()) {
    const embed = (raw ?? {}) as ApiEmbed;
    checkMax(errors, ["embeds", index, "title"], embed.title, 256);
    checkMax(errors, ["embeds", index, "description"], embed.description, 4096);
    checkMax(errors, ["embeds", index, "footer", "text"], embed.footer?.text, 2048);
    checkMax(errors, ["embeds", index, "author", "name"], embed.author?.name, 256);
    count(embed.title);
    count(embed.description);
    count(embed.footer?.text);
    count(embed.author?.name);
    const fields = embed.fields ?? [];
    if (fields.length > 25) {
      setError(errors, ["embeds", index, "fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
    }
    for (const [fieldIndex, field] of fields.entries()) {
      if (typeof field.name !== "string" || field.name.length === 0) {
        setError(errors, ["embeds", index, "fields", fieldIndex, "name"], "BASE_TYPE_REQUIRED", "This field is required");
      }
      if (typeof field.value !== "string" || field.value.length === 0) {
        setError(errors, ["embeds", index, "fields", fieldIndex, "value"], "BASE_TYPE_REQUIRED", "This field is required");
      }
      checkMax(errors, ["embeds", index, "fields", fieldIndex, "name"], field.name, 256);
      checkMax(errors, ["embeds", index, "fields", fieldIndex, "value"], field.value, 1024);
      count(field.name);
      count(field.value);
    }
  }
  if (total > 6000) {
    setError(errors, ["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000");
  }
}

function validateComponents(errors: Record<string, unknown>, components: unknown, flags: number): void {
  if (!Array.isArray(components) || (flags & MessageFlags.IsComponentsV2) !== 0) return; // Components V2: the classic limits don't apply
  if (components.length > 5) {
    setError(errors, ["components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.");
  }
  const seen = new Set<string>();
  for (const [rowIndex, raw] of components.entries()) {
    const row = (raw ?? {}) as ApiComponent;
    if (row.type !== ComponentType.ActionRow) {
      setError(errors, ["components", rowIndex, "type"], "UNION_TYPE_CHOICES", 'Value of field "type" must be one of (1,).');
      continue;
    }
    const children = row.components ?? [];
    if (children.length === 0 || children.length > 5) {
      setError(errors, ["components", rowIndex, "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.");
    }
    for (const [childIndex, child] of children.entries()) {
      const path = ["components", rowIndex, "components", childIndex];
      checkMax(errors, [...path, "custom_id"], child.custom_id, 100);
      checkMax(errors, [...path, "label"], child.label, 80);
      // Link and premium buttons carry a URL or SKU instead of a custom id.
      if (child.type === ComponentType.Button && child.style !== ButtonStyle.Link && child.style !== ButtonStyle.Premium && !child.custom_id) {
        setError(errors, [...path, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required");
      }
      if (child.custom_id) {
        if (seen.has(child.custom_id)) {
          setError(errors, [...path, "custom_id"], "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated");
        }
        seen.add(child.custom_id);
      }
    }
  }
}

/**
 * Validates a message create/edit body. `requireContent` is true for creates: Discord refuses a message with no
 * content, embeds, components, attachments, stickers or poll. Returns a Discord error body, or null when valid.
 */
export function validateMessageBody(body: Record<string, unknown>, requireContent: boolean): DiscordErrorBody | null {
  const errors: Record<string, unknown> = {};
  const content = body["content"];
  if (content !== undefined && content !== null && typeof content !== "string") {
    setError(errors, ["content"], "BASE_TYPE_BAD_TYPE", "Must be a string.");
  }
  checkMax(errors, ["content"], content, 2000);
  validateEmbeds(errors, body["embeds"]);
  validateComponents(errors, body["components"], typeof body["flags"] === "number" ? body["flags"] : 0);
  if (Object.keys(errors).length > 0) return { code: RESTJSONErrorCodes.InvalidFormBodyOrContentType, message: "Invalid Form Body", errors };
  if (requireContent) {
    const nonEmpty = (value: unknown): boolean => Array.isArray(value) && value.length > 0;
    const hasSomething =
      (typeof content === "string" && content.length > 0) ||
      nonEmpty(body["embeds"]) ||
      nonEmpty(body["components"]) ||
      nonEmpty(body["attachments"]) ||
      nonEmpty(body["sticker_ids"]) ||
      body["poll"] !== undefined;
    if (!hasSomething) return { code: RESTJSONErrorCodes.CannotSendAnEmptyMessage, message: "Cannot send an empty message" };
  }
  return null;
}

/** Validates a modal (interaction response of type Modal) body; Discord requires a custom id, a title and 1-5 components. */
export function validateModal(data: Record<string, unknown>): DiscordErrorBody | null {
  const errors: Record<string, unknown> = {};
  if (typeof data["custom_id"] !== "string" || data["custom_id"].length === 0) {
    setError(errors, ["data", "custom_id"], "BASE_TYPE_REQUIRED", "This field is required");
  }
  checkMax(errors, ["data", "custom_id"], data["custom_id"], 100);
  if (typeof data["title"] !== "string" || data["title"].length === 0) {
    setError(errors, ["data", "title"], "BASE_TYPE_REQUIRED", "This field is required");
  }
  checkMax(errors, ["data", "title"], data["title"], 45);
  const components = data["components"];
  if (!Array.isArray(components) || components.length === 0 || components.length > 5) {
    setError(errors, ["data", "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.");
  }
  return Object.keys(errors).length > 0 ? { code: RESTJSONErrorCodes.InvalidFormBodyOrContentType, message: "Invalid Form Body", errors } : null;
}
