/**
 * The embedding seam. `id` names the model and its settings; the index records it and refuses to be
 * searched or updated with a different one, because vectors from two models are not comparable.
 */
export interface Embedder {
  readonly id: string;
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}
