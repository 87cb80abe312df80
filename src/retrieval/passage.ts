/** A retrieved passage as the answer engine sees it. `score` is the ranking score of the mode that found it. */
export interface Passage {
  id: string;
  url: string;
  title: string;
  heading: string;
  text: string;
  pageDate: string | null;
  score: number;
}
