/**
 * Button custom ids. Everything a button needs travels here or in the message it sits on: there is no
 * database. Ids are parsed strictly; anything else is ignored.
 */
export type ButtonAction = { kind: "feedback"; vote: "up" | "down" } | { kind: "post-public" };

const PREFIX = "docent";

export function feedbackId(vote: "up" | "down"): string {
  return `${PREFIX}:fb:${vote}`;
}

export const POST_PUBLIC_ID = `${PREFIX}:public`;

export function parseButtonId(customId: string): ButtonAction | null {
  if (customId === `${PREFIX}:fb:up`) return { kind: "feedback", vote: "up" };
  if (customId === `${PREFIX}:fb:down`) return { kind: "feedback", vote: "down" };
  if (customId === POST_PUBLIC_ID) return { kind: "post-public" };
  return null;
}
