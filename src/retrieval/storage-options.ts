import type { Config } from "../config.ts";
import { DocentError } from "../errors.ts";

/** Settings LanceDB passes to its object store (keys as LanceDB/object_store spell them). */
export type StorageOptions = Record<string, string>;

/** Whether the index lives on object storage (s3://, gs://, az://, ...) rather than in a local folder. */
export function isObjectStoreUri(uri: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase();
  return scheme !== undefined && scheme !== "file" && scheme !== "memory";
}

/**
 * The storage options for an index URI, from the AWS_* settings (S3 and S3-compatible servers such as Ceph's RADOS
 * gateway or MinIO). Nothing for a folder. For gs:// and az:// LanceDB reads its own GOOGLE_* / AZURE_* variables.
 */
export function storageOptionsFor(uri: string, config: Config): StorageOptions {
  if (!isObjectStoreUri(uri)) return {};
  const options: StorageOptions = {};
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set("aws_access_key_id", config.AWS_ACCESS_KEY_ID);
  set("aws_secret_access_key", config.AWS_SECRET_ACCESS_KEY);
  set("aws_session_token", config.AWS_SESSION_TOKEN);
  set("region", config.AWS_REGION);
  set("endpoint", config.AWS_ENDPOINT);
  if (config.AWS_ALLOW_HTTP === "true") options.allow_http = "true";
  // A custom endpoint is a server of our own: never fall back to the cloud's instance-metadata credentials for it.
  if (uri.startsWith("s3://") && config.AWS_ENDPOINT && !config.AWS_ACCESS_KEY_ID) {
    throw new DocentError("STORE_CREDENTIALS", `AWS_ACCESS_KEY_ID is missing: the index at ${uri} is on ${config.AWS_ENDPOINT}, which needs credentials.`, {
      hint: "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in .env or the environment (the keys of a user on that server).",
    });
  }
  return options;
}

/**
 * Turns an object-store failure while opening the index into a message that names what to fix. LanceDB reports
 * them as one long Rust error string carrying the S3 error code or the HTTP status, which is what this reads.
 */
export function storeOpenError(error: unknown, uri: string, storageOptions: StorageOptions): DocentError {
  const text = String((error as Error)?.message ?? error);
  const endpoint = storageOptions.endpoint ?? "the object store";
  const bucket = /^[a-z0-9]+:\/\/([^/]+)/i.exec(uri)?.[1] ?? uri;
  const code = /<Code>([A-Za-z]+)<\/Code>/.exec(text)?.[1];
  if (code === "NoSuchBucket" || /status: 404\b/.test(text) || /NoSuchBucket|ContainerNotFound|bucket.{0,20}not (?:found|exist)/i.test(text)) {
    return new DocentError("STORE_BUCKET_MISSING", `The bucket "${bucket}" does not exist on ${endpoint} (${code ?? "404"}).`, {
      hint: "Create the bucket first (LanceDB does not create it), or fix the bucket name in LANCEDB_URI (or --db).",
      cause: error,
    });
  }
  if (
    (code && /InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|ExpiredToken|InvalidToken|AuthorizationHeaderMalformed|InvalidClientTokenId/.test(code)) ||
    /status: 40[13]\b|credential|InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied/i.test(text)
  ) {
    return new DocentError("STORE_CREDENTIALS", `${endpoint} refused the credentials for ${uri} (${code ?? "access denied"}).`, {
      hint:
        code === "InvalidAccessKeyId"
          ? "Check AWS_ACCESS_KEY_ID: the server does not know that key."
          : code === "SignatureDoesNotMatch"
            ? "Check AWS_SECRET_ACCESS_KEY: it does not match AWS_ACCESS_KEY_ID (and AWS_REGION must be the bucket's region)."
            : "Check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN for temporary keys) and that this user may read and write the bucket.",
      cause: error,
    });
  }
  if (/ConnectionRefused|tcp connect error|dns error|Connect,|timed out|error sending request|HTTP scheme is not allowed|builder error/i.test(text)) {
    return new DocentError("STORE_UNREACHABLE", `Cannot reach the object store at ${endpoint} for ${uri}.`, {
      hint: /scheme is not allowed/i.test(text)
        ? "Set AWS_ALLOW_HTTP=true for a plain-http AWS_ENDPOINT (local or trusted networks only)."
        : "Check AWS_ENDPOINT (scheme, host and port) and that the server is running; AWS_ALLOW_HTTP=true is needed for http://.",
      cause: error,
    });
  }
  return new DocentError("INDEX_UNREADABLE", `Cannot open the index at ${uri}.`, {
    hint: "Check LANCEDB_URI (or --db): a folder path or a URI LanceDB accepts; for object storage, the AWS_* settings in .env.example.",
    cause: error,
  });
}
