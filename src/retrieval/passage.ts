/** A retrieved passage as the answer engine sees it. `score` is the ranking score of the mode that found it. */
export interface Passage {
  id: string;
  url: string;
  title: string;
  heading: string;
  text: string;
  pageDate: string | null;
  /** The page's provider and audience as its front matter names them; absent or null when it does not. */
  provider?: string | null;
  appliesTo?: string | null;
  score: number;
}
