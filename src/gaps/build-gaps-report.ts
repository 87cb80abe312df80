import { sanitizeEcho } from "../answer/guards/output-guards.ts";
import { redact } from "../answer/guards/redact.ts";
import { type ClosestPage, clip, type ReviewRecord } from "./review-record.ts";
import { mentionsOf, providerOfPage } from "../retrieval/terms.ts";
import { contentStems, words } from "../retrieval/text-terms.ts";
import { defaultVocabulary, type Vocabulary } from "../retrieval/vocabulary.ts";

/**
 * The knowledge gaps report: review records in a time window → totals and topics of the questions Docent
 * handled badly (refused, uncertain or fallback answers, answers marked wrong or rejected, voted down or removed).
 * Pure: the records come from the review channel (see read-review-channel.ts).
 */
export interface ReviewEntry {
  /** The review message id. */
  id: string;
  /** When the review message was posted (≈ when the question was answered). */
  at: Date;
  record: ReviewRecord;
}

/** Messages in the review channel that were not read as review records, by reason. */
export interface SkipCounts {
  /** Posted by other people or bots. */
  otherAuthors: number;
  /** Docent's own posts that are not reviews (ingest changelogs, earlier gaps reports). */
  notReviews: number;
  /** Review messages written before review messages carried a record (older Docent). */
  olderFormat: number;
  /** Review messages whose record is missing a field or was edited outside Docent. */
  unreadable: number;
}

export interface GapsTopic {
  label: string;
  count: number;
  kinds: { refused: number; wrong: number; downvoted: number; removed: number; uncertain: number };
  examples: string[];
  closest: ClosestPage | null;
  action: string;
}

export interface GapsReport {
  window: { from: string; to: string };
  totals: { reviewed: number; answered: number; refused: number; wrong: number; downvoted: number; removed: number };
  topics: GapsTopic[];
  skipped: SkipCounts;
}

export const NO_SKIPS: SkipCounts = Object.freeze({ otherAuthors: 0, notReviews: 0, olderFormat: 0, unreadable: 0 });

/** A question joins a topic when this much of its (weighted) words and the topic's are shared... */
const SAME_FOCUS = 0.3;
/** ...or this much when the same page came closest for both. */
const SAME_FOCUS_SAME_PAGE = 0.15;
const MAX_EXAMPLES = 3;
const LABEL_WORDS = 3;

export function buildGapsReport(input: {
  entries: readonly ReviewEntry[];
  window: { from: Date; to: Date };
  skipped?: SkipCounts;
  vocabulary?: Vocabulary;
}): GapsReport {
  const vocabulary = input.vocabulary ?? defaultVocabulary();
  const { from, to } = input.window;
  const inWindow = input.entries.filter((e) => e.at >= from && e.at <= to);
  const records = inWindow.map((e) => e.record);
  const totals = {
    reviewed: records.length,
    answered: records.filter((r) => r.kind !== "refused").length,
    refused: records.filter((r) => r.kind === "refused").length,
    wrong: records.filter(isMarkedWrong).length,
    downvoted: records.filter((r) => r.votes.down > 0).length,
    removed: records.filter((r) => r.removed).length,
  };
  const weights = inverseDocumentFrequency(records.map((r) => termsOf(r.question)));
  const problems = inWindow.filter((e) => isProblem(e.record));
  const topics = groupTopics(problems, weights)
    .map((members) => ({ topic: describeTopic(members, weights.idf, vocabulary), lastAt: members.reduce((latest, m) => Math.max(latest, m.at.getTime()), 0) }))
    .sort((a, b) => b.topic.count - a.topic.count || b.lastAt - a.lastAt || a.topic.label.localeCompare(b.topic.label))
    .map((t) => t.topic);
  return { window: { from: from.toISOString(), to: to.toISOString() }, totals, topics, skipped: { ...(input.skipped ?? NO_SKIPS) } };
}

/** Whether Docent handled the question badly in any way the report covers. */
export function isProblem(record: ReviewRecord): boolean {
  return record.kind !== "answered" || isMarkedWrong(record) || record.votes.down > 0 || record.removed;
}

/** A moderator said the answer was wrong (or rejected the draft in approve mode). */
function isMarkedWrong(record: ReviewRecord): boolean {
  return record.verdict === "wrong" || record.verdict === "rejected";
}

/** Content-word stems of a question, without redaction labels such as `[email]` or one-letter leftovers. */
function termsOf(question: string): Set<string> {
  return new Set(contentStems(question.replace(/\[[a-z ]+\]/g, " ")).filter((t) => t.length > 1));
}

interface TermWeights {
  /** How telling a word is: words few of the window's questions use weigh more. */
  idf(term: string): number;
  /** Whether a word occurs in one question only: it cannot be shared, so it is left out of comparisons. */
  isUnique(term: string): boolean;
}

function inverseDocumentFrequency(documents: ReadonlyArray<Set<string>>): TermWeights {
  const df = new Map<string, number>();
  for (const terms of documents) for (const t of terms) df.set(t, (df.get(t) ?? 0) + 1);
  const n = documents.length;
  return { idf: (term) => Math.log((n + 1) / ((df.get(term) ?? 0) + 1)) + 1, isUnique: (term) => (df.get(term) ?? 0) <= 1 };
}

interface Focus {
  terms: Set<string>;
  url: string | null;
  members: ReviewEntry[];
}

interface Topic {
  members: ReviewEntry[];
  /** How many members use each word: the topic's centre is each word's weight times the share of members using it. */
  termCounts: Map<string, number>;
  urlCounts: Map<string, number>;
}

/**
 * Greedy grouping around topic centres: the most asked questions found topics first; each further question joins
 * the topic whose centre shares most of its (weighted) words, if enough, with a lower bar when the same page came
 * closest for both. Comparing with a centre rather than with any one member keeps shared phrasing ("is … available
 * on the API?") from chaining unrelated questions together. Identical questions are merged first, so the work grows
 * with the number of distinct questions, not of reviews.
 */
function groupTopics(entries: readonly ReviewEntry[], weights: TermWeights): ReviewEntry[][] {
  const byKey = new Map<string, Focus>();
  for (const entry of entries) {
    const terms = new Set([...termsOf(entry.record.question)].filter((t) => !weights.isUnique(t)));
    const url = entry.record.closest?.url ?? null;
    // A question sharing no word with any other stands alone, whatever page came closest.
    const key = terms.size === 0 ? `\u0001${entry.id}` : `${[...terms].sort().join(" ")}\u0000${url ?? ""}`;
    const focus = byKey.get(key) ?? { terms, url, members: [] };
    focus.members.push(entry);
    byKey.set(key, focus);
  }
  // Squared idf: a shared rare word says far more about a question's focus than a shared common one.
  const w = (term: string) => weights.idf(term) ** 2;
  const foci = [...byKey.entries()].sort((a, b) => b[1].members.length - a[1].members.length || (a[0] < b[0] ? -1 : 1)).map(([, focus]) => focus);
  const topics: Topic[] = [];
  const topicsByTerm = new Map<string, Set<Topic>>();
  for (const focus of foci) {
    // A topic must share at least one of the question's three most telling words.
    const telling = [...focus.terms].sort((a, b) => w(b) - w(a) || a.localeCompare(b)).slice(0, 3);
    let best: { topic: Topic; similarity: number } | null = null;
    for (const topic of new Set(telling.flatMap((t) => [...(topicsByTerm.get(t) ?? [])]))) {
      const similarity = similarityToCentre(focus, topic, w);
      const samePage = focus.url !== null && mostCommon(topic.urlCounts) === focus.url;
      if ((similarity >= SAME_FOCUS || (samePage && similarity >= SAME_FOCUS_SAME_PAGE)) && (!best || similarity > best.similarity))
        best = { topic, similarity };
    }
    const topic = best?.topic ?? { members: [], termCounts: new Map<string, number>(), urlCounts: new Map<string, number>() };
    if (!best) topics.push(topic);
    const n = focus.members.length;
    topic.members.push(...focus.members);
    for (const term of focus.terms) {
      topic.termCounts.set(term, (topic.termCounts.get(term) ?? 0) + n);
      const set = topicsByTerm.get(term) ?? new Set<Topic>();
      set.add(topic);
      topicsByTerm.set(term, set);
    }
    if (focus.url) topic.urlCounts.set(focus.url, (topic.urlCounts.get(focus.url) ?? 0) + n);
  }
  return topics.map((t) => t.members);
}

/** Weighted Jaccard between a question's words and a topic's centre (each word's weight × share of members using it). */
function similarityToCentre(focus: Focus, topic: Topic, w: (term: string) => number): number {
  const size = topic.members.length;
  let shared = 0;
  let all = 0;
  for (const t of focus.terms) {
    const centre = (w(t) * (topic.termCounts.get(t) ?? 0)) / size;
    shared += Math.min(w(t), centre);
    all += Math.max(w(t), centre);
  }
  for (const [t, count] of topic.termCounts) if (!focus.terms.has(t)) all += (w(t) * count) / size;
  return all === 0 ? 0 : shared / all;
}

function mostCommon(counts: Map<string, number>): string | null {
  let best: [string, number] | null = null;
  for (const entry of counts) if (!best || entry[1] > best[1]) best = entry;
  return best?.[0] ?? null;
}

function describeTopic(members: ReviewEntry[], idf: (term: string) => number, vocabulary: Vocabulary): GapsTopic {
  const newest = [...members].sort((a, b) => b.at.getTime() - a.at.getTime());
  const records = newest.map((m) => m.record);
  const kinds = {
    refused: records.filter((r) => r.kind === "refused").length,
    wrong: records.filter(isMarkedWrong).length,
    downvoted: records.filter((r) => r.votes.down > 0).length,
    removed: records.filter((r) => r.removed).length,
    uncertain: records.filter((r) => r.kind === "uncertain" || r.kind === "fallback").length,
  };
  const closest = mostCommonPage(records);
  return {
    label: labelOf(
      records.map((r) => r.question),
      idf,
    ),
    count: members.length,
    kinds,
    examples: examplesOf(records),
    closest,
    action: suggestAction(records, kinds, closest, vocabulary),
  };
}

/** Up to three distinct questions, newest first, redacted once more in case a record holds what it should not. */
function examplesOf(newestFirst: readonly ReviewRecord[]): string[] {
  const examples = new Set<string>();
  for (const r of newestFirst) {
    if (examples.size === MAX_EXAMPLES) break;
    const question = clip(redact(r.question).text, 200);
    if (question !== "") examples.add(question);
  }
  return [...examples];
}

/** The most telling words: those most of the topic's questions use, rarer ones first, in their usual spelling. */
function labelOf(questions: readonly string[], idf: (term: string) => number): string {
  const seenIn = new Map<string, number>();
  const spellings = new Map<string, Map<string, number>>();
  /** Mean relative position of each word in the questions that use it. */
  const position = new Map<string, number>();
  for (const question of questions) {
    const stems = new Set<string>();
    const said = words(question.replace(/\[[a-z ]+\]/g, " "));
    for (const [i, word] of said.entries()) {
      const [stem] = contentStems(word);
      if (!stem || stem.length < 2) continue;
      if (!stems.has(stem)) position.set(stem, (position.get(stem) ?? 0) + i / said.length);
      stems.add(stem);
      const forms = spellings.get(stem) ?? new Map<string, number>();
      forms.set(word, (forms.get(word) ?? 0) + 1);
      spellings.set(stem, forms);
    }
    for (const stem of stems) seenIn.set(stem, (seenIn.get(stem) ?? 0) + 1);
  }
  for (const [stem, total] of position) position.set(stem, total / (seenIn.get(stem) ?? 1));
  const ranked = [...seenIn.entries()].sort((a, b) => b[1] * idf(b[0]) - a[1] * idf(a[0]) || a[0].localeCompare(b[0]));
  // In a topic of several questions, a word only one of them uses does not describe the topic.
  const shared = ranked.filter(([, n]) => n >= Math.min(2, questions.length));
  const chosen = (shared.length > 0 ? shared : ranked).slice(0, LABEL_WORDS).map(([stem]) => stem);
  // In the order the questions say them ("saml single sign", not "saml sign single").
  chosen.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
  const spelling = (stem: string) => [...spellings.get(stem)!.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
  return chosen.map(spelling).join(" ") || "(no words)";
}

/** The page that came closest most often (the most recent one on a tie), with its latest title and section. */
function mostCommonPage(records: readonly ReviewRecord[]): ClosestPage | null {
  const counts = new Map<string, { page: ClosestPage; n: number }>();
  for (const r of records) {
    if (!r.closest) continue;
    const seen = counts.get(r.closest.url);
    if (seen) seen.n += 1;
    else counts.set(r.closest.url, { page: r.closest, n: 1 });
  }
  let best: { page: ClosestPage; n: number } | null = null;
  for (const candidate of counts.values()) if (!best || candidate.n > best.n) best = candidate;
  // A title and heading are a page's own words: their links and pings are removed, as in the record, because the
  // report goes to moderators (and to the review channel with --post). Records written before that still carry them.
  return best ? { ...best.page, title: sanitizeEcho(best.page.title), heading: sanitizeEcho(best.page.heading) } : null;
}

function suggestAction(records: readonly ReviewRecord[], kinds: GapsTopic["kinds"], closest: ClosestPage | null, vocabulary: Vocabulary): string {
  const n = records.length;
  // The engine's own words for what the pages lack ("not covered: FedRAMP"), most frequent first.
  const notCovered = records.flatMap((r) => /not covered: (.+)$/.exec(r.reason ?? "")?.slice(1, 2) ?? []);
  const missing = notCovered.length * 2 >= n ? mostCommonValue(notCovered) : null;
  if (missing) return `the pages never mention what these questions ask about (not covered: ${clip(missing, 120)}): add a page or a section on it`;
  if (!closest || kinds.refused * 2 >= n) {
    return closest
      ? `no page covers this (the nearest, "${closest.title}", does not answer it): add a page or a section`
      : "no page covers this: add a page or a section";
  }
  const named = namedProvider(records, vocabulary);
  const pageProvider = providerOfPage(closest.title, closest.url, vocabulary);
  if (named && pageProvider && !named.all.has(pageProvider)) {
    return `answers came from another provider's page: the questions are about ${named.main} but "${closest.title}" is ${pageProvider}'s; add ${named.main}'s policy pages or refuse such questions`;
  }
  const note = records.find((r) => r.note)?.note;
  if (kinds.wrong > 0 || kinds.removed > 0) {
    const what = kinds.wrong > 0 ? "marked wrong" : "removed by a moderator";
    return `page "${closest.title}" ranks first but answers were ${what}${note ? ` ("${clip(redact(note).text, 160)}")` : ""}: check that section and make it answer the question`;
  }
  if (kinds.downvoted > 0)
    return `page "${closest.title}" ranks first but members voted the answers down: check that the section answers the question directly`;
  return `page "${closest.title}" comes closest but the engine was unsure of its answers: give the section a direct answer`;
}

/** The provider most of the questions name, and every provider any of them names. */
function namedProvider(records: readonly ReviewRecord[], vocabulary: Vocabulary): { main: string; all: Set<string> } | null {
  const counts = new Map<string, number>();
  for (const r of records) for (const provider of mentionsOf(r.question, vocabulary.providers).keys()) counts.set(provider, (counts.get(provider) ?? 0) + 1);
  const [main] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return main && main[1] * 2 >= records.length ? { main: main[0], all: new Set(counts.keys()) } : null;
}

function mostCommonValue(values: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return mostCommon(counts);
}
