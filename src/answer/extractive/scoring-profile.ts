import { readFileSync } from "node:fs";
import { z } from "zod";
import { DocentError } from "../../errors.ts";
import { projectFile } from "../../project-files.ts";

/**
 * Every number that tunes the extractive answerer and the answerability stage, in one named profile
 * (config/scoring-profile.json). The profile is data with a source: `scripts/fit-scoring-profile.ts` writes it,
 * searching the fitted values by k-fold cross-validation over the development questions and carrying the rest as
 * stated priors; the file records which is which, the data it was fitted on and the out-of-fold scores. No value
 * here is a literal in the middle of a function.
 */
const weightsSchema = z.object({
  /** A question term found only in the unit's page title or section heading counts this share of its weight… */
  headingShare: z.number(),
  /** …and this share for the first sentence under the heading (well-written pages answer their heading first). */
  openingHeadingShare: z.number(),
  /** Bonus for the kind of sentence the question wants: a duration for "how long", a channel for "how do I". */
  durationFit: z.number(),
  channelFit: z.number(),
  /** …a sentence that says yes or no (not, only, by default, may) for a yes/no question. */
  yesNoFit: z.number(),
  /** …and a sentence naming a channel when the question is a formal request (access, deletion, opt-out). */
  requestChannelFit: z.number(),
  /** Search's rank: the first passage gets this much, the second half, the third a third… */
  rankPrior: z.number(),
  /** Unknown terms (in no indexed passage) weigh like terms found in this many passages. */
  unknownAsDf: z.number(),
  /** A sentence for another audience than the one a question names / defaults to scores this share. */
  audienceNamedMismatch: z.number(),
  audienceDefaultMismatch: z.number(),
  /** A sentence from a related provider's page (Azure for an OpenAI question) / another provider's page. */
  relatedProvider: z.number(),
  otherProviderNamed: z.number(),
  otherProviderDefault: z.number(),
  /** A word that names a provider counts this share of its weight (the provider factor already judges the page). */
  providerTermShare: z.number(),
  /** A question word sharing only a long prefix with a sentence's word ("seriously"/"serious") counts this share. */
  prefixShare: z.number(),
  /** How much an unknown question word weighs in the coverage a sentence must reach, as a share of its weight. */
  unknownShare: z.number(),
  /** A table row, a sentence that is not a claim ("learn more…", a question), a long unit: their score's share. */
  tableRow: z.number(),
  notAClaim: z.number(),
  longUnit: z.number(),
  /** Units longer than this many characters count as long. */
  longUnitChars: z.number(),
});

const limitsSchema = z.object({
  /** Below this coverage by the best unit, the pages don't answer the question: refuse. */
  refuseBelow: z.number(),
  /** Below this coverage by the lead, answer but mark it uncertain and show the closest passages. */
  uncertainBelow: z.number(),
  /** A lead whose provider/audience factor is below this is never confident. */
  confidentMinFactor: z.number(),
  /** A supporting point must score, and cover, at least this share of what the lead does. */
  supportShare: z.number(),
  maxPoints: z.number().int(),
  /** A part of the question counts as answered when a chosen unit covers this share of it… */
  partCovered: z.number(),
  /** …and a unit is picked for a part only if it covers at least this share. */
  partPickMin: z.number(),
  /** A unit sharing more than this share of its terms with a chosen one repeats it. */
  repeatOverlap: z.number(),
});

const focusSchema = z.object({
  /**
   * A question word rarer than this in everyday English (Zipf frequency, see language/word-frequency.ts) carries
   * the question's specific meaning — its focus; commoner words are the way it is asked.
   */
  maxZipf: z.number(),
  /** A focus word found in fewer passages than this share of the index is telling enough to need covering. */
  maxIndexShare: z.number(),
  /**
   * Refuse, naming what is missing, when the focus words the pages never mention carry at least this share of the
   * question's focus weight; below it, answer uncertain and name them.
   */
  refuseMissingShare: z.number(),
  /** A confident lead covers at least this share of the focus weight the pages do mention… */
  confidentFocusCover: z.number(),
  /** …and the question's focus words missing from the pages are a smaller share than this (0.01: none may be). */
  confidentMaxMissing: z.number(),
});

const profileSchema = z.object({
  name: z.string(),
  weights: weightsSchema,
  limits: limitsSchema,
  focus: focusSchema,
  /** Where the values came from: which were fitted, on what data, and their held-out scores. */
  provenance: z.record(z.string(), z.unknown()),
});

export type ScoringProfile = z.infer<typeof profileSchema>;
export type ScoringWeights = ScoringProfile["weights"];

export const SCORING_PROFILE_FILE = projectFile("config", "scoring-profile.json");

let shipped: ScoringProfile | undefined;
/** The committed profile, read once. */
export function defaultScoringProfile(): ScoringProfile {
  shipped ??= parseScoringProfile(readFileSync(SCORING_PROFILE_FILE, "utf8"), SCORING_PROFILE_FILE);
  return shipped;
}

export function parseScoringProfile(text: string, source: string): ScoringProfile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new DocentError("CONFIG_INVALID", `The scoring profile ${source} is not valid JSON.`, {
      hint: "Regenerate it with npm run fit:scoring.",
      cause: error,
    });
  }
  const parsed = profileSchema.safeParse(data);
  if (!parsed.success) {
    throw new DocentError(
      "CONFIG_INVALID",
      `The scoring profile ${source} is malformed: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}.`,
      {
        hint: "Regenerate it with npm run fit:scoring.",
      },
    );
  }
  return parsed.data;
}
