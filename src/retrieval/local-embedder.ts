import type { Embedder } from "./embedder.ts";
import { contentStems } from "./text-terms.ts";

/**
 * Offline embedder: feature hashing of word stems, stem pairs and character 4-grams into a fixed-size,
 * L2-normalised vector. No weights, no download, deterministic across machines. It captures shared
 * vocabulary and typos (through the character grams), not meaning; it is the default so that the product
 * works with no network, and retrieval measures whether it helps the full-text side.
 */
export function createLocalEmbedder(dimensions = 512): Embedder {
  return {
    id: `local:hashed-stems-v1:${dimensions}`,
    dimensions,
    embed: async (texts) => texts.map((text) => embedOne(text, dimensions)),
  };
}

function embedOne(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  const stems = contentStems(text);
  const add = (feature: string, weight: number) => {
    const h = fnv1a(feature);
    // The top bit picks the sign so that collisions cancel out on average instead of piling up.
    vector[h % dimensions]! += h & 0x80000000 ? -weight : weight;
  };
  stems.forEach((stem, i) => {
    add(`w:${stem}`, 1);
    if (i > 0) add(`b:${stems[i - 1]} ${stem}`, 0.5);
    const padded = `^${stem}$`;
    for (let j = 0; j + 4 <= padded.length; j++) add(`c:${padded.slice(j, j + 4)}`, 0.25);
  });
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < dimensions; i++) vector[i]! /= norm;
  return vector;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
