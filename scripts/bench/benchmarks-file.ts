/**
 * BENCHMARKS.md is written by several benchmarks, each owning its `## ` sections: a benchmark replaces its own
 * sections and keeps everyone else's. Pure.
 */

/** The `## ` sections of a Markdown text, by heading, each with its body up to the next section. */
export function sectionsOf(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  for (const part of text.split(/^(?=## )/m)) {
    const heading = /^## (.*)$/m.exec(part);
    if (part.startsWith("## ") && heading) sections.set(heading[1]!.trim(), part.trimEnd());
  }
  return sections;
}

/** `text` with the section `## heading` replaced by `section` (which starts with that heading), or added at the end. */
export function replaceSection(text: string, heading: string, section: string): string {
  const old = sectionsOf(text).get(heading);
  if (old !== undefined) return text.replace(old, () => section.trimEnd());
  return `${text.trimEnd()}\n\n${section.trimEnd()}\n`;
}

/** `next` (a benchmark's whole report) followed by the sections of `previous` that `next` does not have. */
export function keepOtherSections(previous: string, next: string): string {
  const mine = sectionsOf(next);
  const others = [...sectionsOf(previous)].filter(([heading]) => !mine.has(heading)).map(([, body]) => body);
  return `${[next.trimEnd(), ...others].join("\n\n")}\n`;
}
