/**
 * A modal the bot opened (the interaction response of type Modal) → a plain HTML form for the playground's dialog. Text inputs
 * in action rows (classic) and in labels are supported; anything else is listed as not supported. Pure.
 */
import { ComponentType, TextInputStyle } from "discord-api-types/v10";
import type { ApiComponent } from "../discord-emulator/types.ts";
import { escapeHtml } from "./render-markdown.ts";

interface ModalData {
  custom_id?: string;
  title?: string;
  components?: ApiComponent[];
}

function textInput(input: ApiComponent, label: string | undefined, description: string | undefined): string {
  const id = input.custom_id ?? "";
  const name = escapeHtml(id);
  const attrs = [
    `name="${name}"`,
    `id="modal-field-${name}"`,
    input.required !== false ? "required" : "",
    typeof input["min_length"] === "number" ? `minlength="${input["min_length"]}"` : "",
    typeof input["max_length"] === "number" ? `maxlength="${input["max_length"]}"` : "",
    typeof input["placeholder"] === "string" ? `placeholder="${escapeHtml(input["placeholder"])}"` : "",
  ]
    .filter(Boolean)
    .join(" ");
  const value = typeof input["value"] === "string" ? escapeHtml(input["value"]) : "";
  const field = input.style === TextInputStyle.Paragraph ? `<textarea ${attrs} rows="4">${value}</textarea>` : `<input type="text" ${attrs} value="${value}">`;
  const required = input.required !== false ? '<span class="required" aria-hidden="true">*</span>' : "";
  return `<div class="modal-field"><label for="modal-field-${name}">${escapeHtml(label ?? input.label ?? id)}${required}</label>${description ? `<div class="modal-description">${escapeHtml(description)}</div>` : ""}${field}</div>`;
}

function renderModalComponent(component: ApiComponent): string {
  if (component.type === ComponentType.ActionRow) return (component.components ?? []).map(renderModalComponent).join("");
  if (component.type === ComponentType.TextInput) return textInput(component, undefined, undefined);
  if (component.type === ComponentType.Label && component.component) {
    const inner = component.component;
    const description = typeof component["description"] === "string" ? component["description"] : undefined;
    if (inner.type === ComponentType.TextInput) return textInput(inner, component.label, description);
    return `<div class="msg-note">${escapeHtml(component.label ?? "")}: component type ${inner.type} is not supported in the playground</div>`;
  }
  if (component.type === ComponentType.TextDisplay) return `<div class="modal-description">${escapeHtml(String(component["content"] ?? ""))}</div>`;
  return `<div class="msg-note">component type ${component.type} is not supported in the playground</div>`;
}

export function renderModal(data: unknown): { customId: string; html: string } {
  const modal = (data ?? {}) as ModalData;
  const customId = modal.custom_id ?? "";
  const html =
    `<form method="dialog" class="modal-form" data-custom-id="${escapeHtml(customId)}">` +
    `<h2 class="modal-title">${escapeHtml(modal.title ?? "")}</h2>` +
    `<div class="modal-fields">${(modal.components ?? []).map(renderModalComponent).join("")}</div>` +
    `<div class="modal-actions"><button type="button" class="btn btn-link-plain" data-modal-cancel>Cancel</button><button type="submit" class="btn btn-primary">Submit</button></div>` +
    `</form>`;
  return { customId, html };
}
