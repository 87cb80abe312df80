/**
 * Interactions end to end: building INTERACTION_CREATE payloads for simulated users (slash commands, button clicks,
 * modal submits) and handling what the bot answers through the interaction callback and webhook routes.
 *
 * Follows Discord's rules closely enough to catch real bugs: one initial callback per interaction (a second one gets
 * 40060 "already acknowledged"), update-type callbacks only for component interactions, followups only after the
 * initial callback, the first followup after a deferred reply filling the "thinking" message, and modal submits
 * only for a modal the bot actually opened.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ComponentType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  MessageType,
  RESTJSONErrorCodes,
} from "discord-api-types/v10";
import { ApiError, clone } from "./core.ts";
import type { EmulatorCore } from "./core.ts";
import type { GuildRecord, InteractionRecord } from "./state.ts";
import type { ApiComponent, EmulatorUser, Interaction, InteractionResponse, Message } from "./types.ts";
import { validateMessageBody, validateModal } from "./validation.ts";
import { randomBytes } from "node:crypto";

/** Who acts, where, and with which member permissions/roles. */
export interface ActorInput {
  channelId: string;
  user: EmulatorUser;
  memberPermissions?: string;
  memberRoles?: string[];
}

/** Application command option as a test supplies it. */
export interface CommandOptionInput {
  name: string;
  type: number;
  value: string | boolean | number;
}

/** Finds a component by custom id anywhere in a component tree (action rows, labels, containers, sections). */
export function findComponent(components: readonly ApiComponent[], customId: string): ApiComponent | undefined {
  for (const component of components) {
    if (component.custom_id === customId) return component;
    const nested = [...(component.components ?? []), ...(component.component ? [component.component] : [])];
    const accessory = component["accessory"] as ApiComponent | undefined;
    if (accessory) nested.push(accessory);
    const found = findComponent(nested, customId);
    if (found) return found;
  }
  return undefined;
}

/** Builds interactions for simulated users and executes the bot's interaction responses. */
export class InteractionService {
  constructor(
    private readonly core: EmulatorCore,
    private readonly deadlineMs: number | undefined,
  ) {}

  // --- user side ----------------------------------------------------------------------------------------------

  /** Dispatches a chat-input (slash) command interaction. */
  runSlashCommand(input: ActorInput & { name: string; options?: CommandOptionInput[] }): Interaction {
    const { guild } = this.core.state.requireChannel(input.channelId);
    const registered = this.findRegisteredCommand(guild.id, input.name);
    const data: Record<string, unknown> = {
      id: registered?.id ?? this.core.ids.next(),
      name: input.name,
      type: ApplicationCommandType.ChatInput,
    };
    if (registered?.guildScoped) data["guild_id"] = guild.id;
    if (input.options && input.options.length > 0) {
      data["options"] = input.options.map((option) => ({ ...option }));
      const resolved = this.resolveOptions(guild, input.options);
      if (resolved) data["resolved"] = resolved;
    }
    return this.dispatch(input, InteractionType.ApplicationCommand, data, null);
  }

  /** Dispatches a button click on a stored message; the button must exist on it and be enabled. */
  clickButton(input: ActorInput & { messageId: string; customId: string }): Interaction {
    const message = this.core.state.getMessage(input.messageId);
    if (!message || message.channel_id !== input.channelId) {
      throw new Error(`Discord emulator: no message ${input.messageId} in channel ${input.channelId}`);
    }
    const component = findComponent(message.components, input.customId);
    if (!component) {
      const ids = collectCustomIds(message.components);
      throw new Error(`Discord emulator: message ${input.messageId} has no component "${input.customId}" (has: ${ids.join(", ") || "none"})`);
    }
    if (component.disabled === true) {
      throw new Error(`Discord emulator: component "${input.customId}" is disabled; Discord would not send a click`);
    }
    const data = { custom_id: input.customId, component_type: component.type };
    return this.dispatch(input, InteractionType.MessageComponent, data, message);
  }

  /**
   * Dispatches a modal submit for a modal the bot opened (callback type 9) with this custom id, most recent first.
   * Fields are matched to the modal's text inputs; required inputs must be filled.
   */
  submitModal(input: ActorInput & { customId: string; fields: Record<string, string>; messageId?: string }): Interaction {
    const opener = [...this.core.state.interactions.values()].reverse().find((record) => record.modal?.custom_id === input.customId);
    if (!opener?.modal) {
      throw new Error(`Discord emulator: the bot never opened a modal with custom id "${input.customId}"`);
    }
    const components = opener.modal.components.map((row) => this.fillModalComponent(row, input.fields));
    const inputIds = collectCustomIds(opener.modal.components);
    const unknown = Object.keys(input.fields).filter((id) => !inputIds.includes(id));
    if (unknown.length > 0) {
      throw new Error(`Discord emulator: modal "${input.customId}" has no input(s) ${unknown.join(", ")}`);
    }
    const messageId = input.messageId ?? opener.sourceMessageId ?? undefined;
    const message = messageId ? this.core.state.getMessage(messageId) : undefined;
    if (messageId && !message) throw new Error(`Discord emulator: no message ${messageId}`);
    const data = { custom_id: input.customId, components };
    return this.dispatch(input, InteractionType.ModalSubmit, data, message ?? null);
  }

  private fillModalComponent(component: ApiComponent, fields: Record<string, string>): ApiComponent {
    if (component.components) {
      return { type: component.type, components: component.components.map((c) => this.fillModalComponent(c, fields)) };
    }
    if (component.component) {
      return { type: component.type, component: this.fillModalComponent(component.component, fields) };
    }
    if (component.type === ComponentType.TextInput && component.custom_id) {
      const value = fields[component.custom_id];
      if (value === undefined && component.required !== false) {
        throw new Error(`Discord emulator: modal text input "${component.custom_id}" is required`);
      }
      return { type: ComponentType.TextInput, custom_id: component.custom_id, value: value ?? "" };
    }
    return { type: component.type, ...(component.custom_id ? { custom_id: component.custom_id } : {}) };
  }

  private findRegisteredCommand(guildId: string, name: string): { id: string; guildScoped: boolean } | undefined {
    const match = (commands: unknown[] | undefined): { id: string } | undefined =>
      (commands ?? []).find((command) => (command as { name?: unknown }).name === name) as { id: string } | undefined;
    const guildCommand = match(this.core.state.commands.guilds.get(guildId));
    if (guildCommand) return { id: guildCommand.id, guildScoped: true };
    const globalCommand = match(this.core.state.commands.global);
    return globalCommand ? { id: globalCommand.id, guildScoped: false } : undefined;
  }

  private resolveOptions(guild: GuildRecord, options: CommandOptionInput[]): Record<string, unknown> | undefined {
    const users: Record<string, unknown> = {};
    const members: Record<string, unknown> = {};
    const channels: Record<string, unknown> = {};
    const roles: Record<string, unknown> = {};
    for (const option of options) {
      const id = String(option.value);
      if (option.type === ApplicationCommandOptionType.User || option.type === ApplicationCommandOptionType.Mentionable) {
        const member = guild.members.get(id);
        if (member || this.core.state.users.has(id)) users[id] = this.core.state.userById(id);
        if (member) {
          members[id] = this.core.state.memberPayload(member, {
            includeUser: false,
            permissions: this.core.state.memberPermissions(guild, id).toString(),
          });
        }
      }
      if (option.type === ApplicationCommandOptionType.Channel) {
        const channel = guild.channels.find((c) => c.id === id);
        if (channel) channels[id] = { id, name: channel.name, type: channel.type, permissions: "0" };
      }
      if (option.type === ApplicationCommandOptionType.Role || option.type === ApplicationCommandOptionType.Mentionable) {
        const role = guild.roles.find((r) => r.id === id);
        if (role) roles[id] = role;
      }
    }
    const resolved: Record<string, unknown> = {};
    if (Object.keys(users).length > 0) resolved["users"] = users;
    if (Object.keys(members).length > 0) resolved["members"] = members;
    if (Object.keys(channels).length > 0) resolved["channels"] = channels;
    if (Object.keys(roles).length > 0) resolved["roles"] = roles;
    return Object.keys(resolved).length > 0 ? resolved : undefined;
  }

  /** Builds, records and dispatches an INTERACTION_CREATE. */
  private dispatch(input: ActorInput, type: number, data: Record<string, unknown>, message: Message | null): Interaction {
    const { state } = this.core;
    const { channel, guild } = state.requireChannel(input.channelId);
    const member = state.ensureMember(guild, input.user);
    const roles = input.memberRoles ?? member.roles;
    const permissions = input.memberPermissions ?? state.memberPermissions(guild, member.user.id, input.memberRoles).toString();
    const interaction: Interaction = {
      id: this.core.ids.next(),
      application_id: state.applicationId,
      type,
      token: `emu-interaction-${randomBytes(24).toString("base64url")}`,
      version: 1,
      guild_id: guild.id,
      channel_id: channel.id,
      channel: clone(channel),
      member: {
        ...state.memberPayload(member, { includeUser: true, permissions, roles }),
        user: member.user,
        permissions,
      },
      app_permissions: state.memberPermissions(guild, state.botUser.id).toString(),
      locale: "en-US",
      guild_locale: "en-US",
      entitlements: [],
      // "0" = GUILD_INSTALL: the app is installed in this guild.
      authorizing_integration_owners: { "0": guild.id },
      context: 0,
      attachment_size_limit: 26_214_400,
      guild: { id: guild.id, locale: "en-US", features: [] },
      data,
    };
    if (message) interaction.message = this.core.dispatchPayload(message) as Message;
    state.interactions.set(interaction.id, {
      payload: interaction,
      createdAt: Date.now(),
      callbackType: null,
      originalMessageId: null,
      followupIds: [],
      responses: [],
      modal: null,
      sourceMessageId: message?.id ?? null,
    });
    this.core.gateway.dispatch("INTERACTION_CREATE", interaction);
    this.core.emit({ type: "interaction_create", interaction: clone(interaction) });
    return clone(interaction);
  }

  // --- bot side -----------------------------------------------------------------------------------------------

  /** The interaction behind a callback URL, or 404 Unknown interaction. */
  interactionForCallback(id: string, token: string): InteractionRecord {
    const record = this.core.state.interactions.get(id);
    if (!record || record.payload.token !== token) throw ApiError.unknown(RESTJSONErrorCodes.UnknownInteraction, "interaction");
    return record;
  }

  /** The interaction behind a webhook URL (application id + interaction token), or 404 Unknown Webhook. */
  interactionForWebhook(applicationId: string, token: string): InteractionRecord {
    const record = applicationId === this.core.state.applicationId ? this.core.state.interactionByToken(token) : undefined;
    if (!record) throw ApiError.unknown(RESTJSONErrorCodes.UnknownWebhook, "Webhook");
    return record;
  }

  /**
   * POST /interactions/:id/:token/callback. Returns the `with_response` body (Discord's interaction callback
   * response: `interaction` + `resource`), which the route sends only when the query asked for it.
   */
  handleCallback(record: InteractionRecord, body: Record<string, unknown>): Record<string, unknown> {
    const { payload } = record;
    if (record.callbackType !== null) {
      throw new ApiError(400, {
        code: RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged,
        message: "Interaction has already been acknowledged.",
      });
    }
    if (this.deadlineMs !== undefined && Date.now() - record.createdAt > this.deadlineMs) {
      throw ApiError.unknown(RESTJSONErrorCodes.UnknownInteraction, "interaction");
    }
    const type = body["type"];
    const data = (body["data"] ?? {}) as Record<string, unknown>;
    const invalid = (message: string): ApiError =>
      new ApiError(400, {
        code: RESTJSONErrorCodes.InvalidFormBodyOrContentType,
        message: "Invalid Form Body",
        errors: { type: { _errors: [{ code: "INTERACTION_CALLBACK_TYPE_INVALID", message }] } },
      });
    let message: Message | undefined;
    switch (type) {
      case InteractionResponseType.ChannelMessageWithSource:
      case InteractionResponseType.DeferredChannelMessageWithSource: {
        const deferred = type === InteractionResponseType.DeferredChannelMessageWithSource;
        if (!deferred) this.validate(data, true);
        const ephemeral = ((typeof data["flags"] === "number" ? data["flags"] : 0) & MessageFlags.Ephemeral) !== 0;
        message = this.core.createMessage({
          channelId: payload.channel_id,
          author: this.core.state.botUser,
          // The "thinking" placeholder of a deferred reply has no content; the @original edit fills it.
          body: deferred ? { flags: data["flags"] } : data,
          source: "interaction",
          extraFlags: (ephemeral ? MessageFlags.Ephemeral : 0) | (deferred ? MessageFlags.Loading : 0),
          extra: this.responseMessageExtra(record, false),
        });
        record.originalMessageId = message.id;
        break;
      }
      case InteractionResponseType.DeferredMessageUpdate:
      case InteractionResponseType.UpdateMessage: {
        const source = record.sourceMessageId ? this.core.state.getMessage(record.sourceMessageId) : undefined;
        if (!source) throw invalid("This interaction has no message to update.");
        if (type === InteractionResponseType.UpdateMessage) {
          this.validate(data, false);
          this.core.updateMessage(source, data);
        }
        record.originalMessageId = source.id;
        message = source;
        break;
      }
      case InteractionResponseType.Modal: {
        if (payload.type === InteractionType.ModalSubmit) throw invalid("A modal cannot open another modal.");
        const error = validateModal(data);
        if (error) throw new ApiError(400, error);
        record.modal = clone(data) as NonNullable<InteractionRecord["modal"]>;
        break;
      }
      case InteractionResponseType.ApplicationCommandAutocompleteResult:
        break;
      default:
        throw invalid(`Unsupported interaction callback type ${String(type)}.`);
    }
    record.callbackType = type;
    const response: InteractionResponse = { kind: "callback", type, data: clone(body["data"] ?? null) };
    if (message) {
      response.messageId = message.id;
      response.ephemeral = (message.flags & MessageFlags.Ephemeral) !== 0;
    }
    record.responses.push(response);
    this.core.emit({
      type: "interaction_callback",
      interactionId: payload.id,
      callbackType: type,
      data: clone(body["data"] ?? null),
      ...(message ? { messageId: message.id } : {}),
    });
    const returnsMessage = message && type !== InteractionResponseType.DeferredMessageUpdate;
    return {
      interaction: {
        id: payload.id,
        type: payload.type,
        response_message_id: returnsMessage ? message?.id : undefined,
        response_message_loading: type === InteractionResponseType.DeferredChannelMessageWithSource,
        response_message_ephemeral: message ? (message.flags & MessageFlags.Ephemeral) !== 0 : undefined,
      },
      resource: { type, ...(returnsMessage && message ? { message: clone(message) } : {}) },
    };
  }

  /** The message behind `@original` or a followup id, or 404 Unknown Message. */
  webhookMessage(record: InteractionRecord, messageId: string): Message {
    const id = messageId === "@original" ? record.originalMessageId : messageId;
    const owned = id !== null && (id === record.originalMessageId || record.followupIds.includes(id));
    const message = owned ? this.core.state.getMessage(id) : undefined;
    if (!message) throw ApiError.unknown(RESTJSONErrorCodes.UnknownMessage, "Message");
    return message;
  }

  /** PATCH /webhooks/:app/:token/messages/:id. */
  editWebhookMessage(record: InteractionRecord, messageId: string, body: Record<string, unknown>): Message {
    const message = this.webhookMessage(record, messageId);
    this.validate(body, false);
    this.core.updateMessage(message, body);
    this.record(record, {
      kind: messageId === "@original" ? "edit_original" : "edit_followup",
      data: clone(body),
      messageId: message.id,
      ephemeral: (message.flags & MessageFlags.Ephemeral) !== 0,
    });
    this.core.emit({ type: "webhook_edit", interactionId: record.payload.id, messageId: message.id, data: clone(body) });
    return message;
  }

  /** DELETE /webhooks/:app/:token/messages/:id. */
  deleteWebhookMessage(record: InteractionRecord, messageId: string): void {
    const message = this.webhookMessage(record, messageId);
    this.core.deleteMessage(message);
    this.record(record, {
      kind: messageId === "@original" ? "delete_original" : "delete_followup",
      data: null,
      messageId: message.id,
      ephemeral: (message.flags & MessageFlags.Ephemeral) !== 0,
    });
    this.core.emit({ type: "webhook_delete", interactionId: record.payload.id, messageId: message.id });
  }

  /**
   * POST /webhooks/:app/:token: a followup. Needs the initial callback first. The first followup after a deferred
   * reply fills the "thinking" message (keeping the deferral's ephemerality), as on Discord.
   */
  createFollowup(record: InteractionRecord, body: Record<string, unknown>): Message {
    if (record.callbackType === null) throw ApiError.unknown(RESTJSONErrorCodes.UnknownWebhook, "Webhook");
    this.validate(body, true);
    const original = record.originalMessageId ? this.core.state.getMessage(record.originalMessageId) : undefined;
    let message: Message;
    if (
      record.callbackType === InteractionResponseType.DeferredChannelMessageWithSource &&
      original &&
      (original.flags & MessageFlags.Loading) !== 0 &&
      record.followupIds.length === 0
    ) {
      message = this.core.updateMessage(original, body);
    } else {
      const ephemeral = ((typeof body["flags"] === "number" ? body["flags"] : 0) & MessageFlags.Ephemeral) !== 0;
      message = this.core.createMessage({
        channelId: record.payload.channel_id,
        author: this.core.state.botUser,
        body,
        source: "interaction",
        extraFlags: ephemeral ? MessageFlags.Ephemeral : 0,
        extra: this.responseMessageExtra(record, true),
      });
      record.followupIds.push(message.id);
    }
    this.record(record, {
      kind: "followup",
      data: clone(body),
      messageId: message.id,
      ephemeral: (message.flags & MessageFlags.Ephemeral) !== 0,
    });
    this.core.emit({ type: "webhook_followup", interactionId: record.payload.id, message: clone(message) });
    return message;
  }

  private record(record: InteractionRecord, response: InteractionResponse): void {
    record.responses.push(response);
  }

  private validate(body: Record<string, unknown>, requireContent: boolean): void {
    const error = validateMessageBody(body, requireContent);
    if (error) throw new ApiError(400, error);
  }

  /**
   * Fields Discord puts on messages created by an interaction response: webhook/application ids, the (deprecated
   * but still read) `interaction`, and `interaction_metadata`, whose `authorizing_integration_owners` discord.js
   * needs to parse the message at all.
   */
  private responseMessageExtra(record: InteractionRecord, followup: boolean): Partial<Message> {
    const { payload } = record;
    const name = typeof payload.data["name"] === "string" ? payload.data["name"] : undefined;
    const metadata: NonNullable<Message["interaction_metadata"]> = {
      id: payload.id,
      type: payload.type,
      user: payload.member.user,
      authorizing_integration_owners: { ...payload.authorizing_integration_owners },
    };
    if (name !== undefined) {
      metadata.name = name;
      metadata.command_type = 1;
    }
    if (followup && record.originalMessageId) metadata.original_response_message_id = record.originalMessageId;
    if (record.sourceMessageId) metadata.interacted_message_id = record.sourceMessageId;
    const extra: Partial<Message> = {
      type: payload.type === InteractionType.ApplicationCommand ? MessageType.ChatInputCommand : MessageType.Default,
      webhook_id: payload.application_id,
      application_id: payload.application_id,
      interaction_metadata: metadata,
    };
    if (name !== undefined) {
      extra.interaction = { id: payload.id, type: payload.type, name, user: payload.member.user };
    }
    return extra;
  }
}

/** All custom ids in a component tree, for error messages. */
function collectCustomIds(components: readonly ApiComponent[]): string[] {
  const ids: string[] = [];
  for (const component of components) {
    if (component.custom_id) ids.push(component.custom_id);
    ids.push(...collectCustomIds([...(component.components ?? []), ...(component.component ? [component.component] : [])]));
  }
  return ids;
}
