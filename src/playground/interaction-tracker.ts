/**
 * What the playground remembers about interactions the visitor started: where each came from (a modal opens only
 * for the user whose click opened it, over the message it belongs to) and whether the bot answered it in time
 * (Discord shows "This interaction failed" after 3 s without an initial response).
 */
import type { Interaction } from "../discord-emulator/types.ts";

/** Discord shows "This interaction failed" when the app does not answer within 3 seconds. */
export const INTERACTION_ACK_MS = 3_000;
/** Enough for any visitor's clicks in one sitting; older entries are forgotten first. */
const REMEMBERED = 500;

export interface InteractionOrigin {
  channelId: string;
  messageId: string | null;
  userId: string;
}

export interface InteractionTracker {
  /** An interaction was created (INTERACTION_CREATE). */
  started(interaction: Interaction): void;
  /** The bot sent the interaction's initial response. */
  acknowledged(interactionId: string): void;
  origin(interactionId: string): InteractionOrigin | undefined;
  /** Resolves true once the bot answered the interaction (any initial response), false after Discord's 3 s. */
  answered(interactionId: string): Promise<boolean>;
}

export function createInteractionTracker(ackMs = INTERACTION_ACK_MS): InteractionTracker {
  const origins = new Map<string, InteractionOrigin>();
  const acknowledged = new Set<string>();
  const waiters = new Map<string, () => void>();
  return {
    started(interaction) {
      origins.set(interaction.id, { channelId: interaction.channel_id, messageId: interaction.message?.id ?? null, userId: interaction.member.user.id });
      forgetOldest(origins);
    },
    acknowledged(interactionId) {
      acknowledged.add(interactionId);
      forgetOldest(acknowledged, 2 * REMEMBERED);
      waiters.get(interactionId)?.();
    },
    origin: (interactionId) => origins.get(interactionId),
    answered(interactionId) {
      if (acknowledged.has(interactionId)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(interactionId);
          resolve(false);
        }, ackMs);
        waiters.set(interactionId, () => {
          clearTimeout(timer);
          waiters.delete(interactionId);
          resolve(true);
        });
      });
    },
  };
}

function forgetOldest(entries: Map<string, unknown> | Set<string>, max = REMEMBERED): void {
  if (entries.size > max) entries.delete(entries.keys().next().value ?? "");
}
