/** Reads a `--urls-file`: one URL per line; blank lines and lines starting with # are ignored. */
export function parseUrlList(text: string, file: string): string[] {
  const urls: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    urls.push(checkWebUrl(line, `${file}:${i + 1}`));
  });
  return urls;
}

/** An absolute http(s) URL without its #fragment, or an Error naming where the bad value came from. */
export function checkWebUrl(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${where}: "${value}" is not an absolute URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`${where}: "${value}" is not an http(s) URL`);
  url.hash = "";
  return url.toString();
}
