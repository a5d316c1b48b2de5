// The steps of sending the sender's own picture, in the order the upload path needs them: a WAF CAPTCHA
// token (its JavaScript API, loaded on first use), the grant (POST /api/uploads with the token), the file
// POSTed to the bucket with XMLHttpRequest (fetch reports no upload progress), then the content check. Each
// failure becomes an UploadProblem that says what to do. Loaded only when someone chooses to upload.
// It shares no module with the create page but Preact (see upload-loader.ts), so it makes its own two API
// calls, which send no body (nothing to hash for x-amz-content-sha256), and reads the API's error format.
import { maxUploadBytes } from "../../../origin/uploads/upload-limits.ts";

export class UploadProblem extends Error {
  /** "captcha": the token was refused or has expired, so the person is asked again. */
  readonly kind: "captcha" | "file" | "network";
  constructor(kind: UploadProblem["kind"], message: string) {
    super(message);
    this.kind = kind;
  }
}

const megabytes = maxUploadBytes / 1024 / 1024;

/** Refuses before any network use what the check would refuse for its size. */
export function precheck(file: File): UploadProblem | undefined {
  if (file.size === 0) return new UploadProblem("file", "That file is empty. Choose a picture file.");
  if (file.size > maxUploadBytes)
    return new UploadProblem(
      "file",
      `That file is ${(file.size / 1024 / 1024).toFixed(1)} MB; the most is ${megabytes} MB. Save it smaller (or export it as JPEG) and choose it again.`,
    );
  return undefined;
}

interface CaptchaApi {
  renderCaptcha(
    container: Element,
    options: { onSuccess(token: string): void; onError(error: unknown): void },
  ): void;
}

let captchaApi: Promise<CaptchaApi> | undefined;

/** WAF's JavaScript CAPTCHA API from `scriptUrl`, loaded once. */
function loadCaptcha(scriptUrl: string): Promise<CaptchaApi> {
  captchaApi ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = scriptUrl;
    script.onload = () => resolve((window as unknown as { AwsWafCaptcha: CaptchaApi }).AwsWafCaptcha);
    script.onerror = () => {
      captchaApi = undefined;
      reject(
        new UploadProblem("network", "The person check could not load. Check your connection and try again."),
      );
    };
    document.head.append(script);
  });
  return captchaApi;
}

/** Shows the CAPTCHA in `container` and resolves with the token once the person has solved it. */
export async function solveCaptcha(scriptUrl: string, container: Element): Promise<string> {
  const api = await loadCaptcha(scriptUrl);
  return new Promise((resolve, reject) =>
    api.renderCaptcha(container, {
      onSuccess: resolve,
      onError: () =>
        reject(
          new UploadProblem(
            "network",
            "The person check did not answer. Check your connection and try again.",
          ),
        ),
    }),
  );
}

export interface Grant {
  uploadId: string;
  url: string;
  fields: Record<string, string>;
}

/** POSTs to the API; a refusal becomes an UploadProblem with the API's own words ({"error": {"message"}}). */
async function post<Result>(path: string, headers: Record<string, string> = {}): Promise<Result> {
  let response: Response;
  try {
    response = await fetch(path, { method: "POST", headers: { ...headers, accept: "application/json" } });
  } catch {
    throw new UploadProblem(
      "network",
      "The upload service did not answer. Check your connection and try again.",
    );
  }
  const answer = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
  if (response.status === 405)
    throw new UploadProblem("captcha", "The person check has expired. Answer the question again to upload.");
  if (!response.ok)
    throw new UploadProblem(
      response.status < 500 ? "file" : "network",
      answer.error?.message ?? "The service is not answering just now. Please try again in a moment.",
    );
  return answer as Result;
}

/** The upload grant; WAF's 405 means it wants a (new) CAPTCHA answer. */
export const requestGrant = (token: string) => post<Grant>("/api/uploads", { "x-aws-waf-token": token });

/** S3's error code in its XML answer, if any. */
const s3Code = (text: string) => /<Code>([A-Za-z]+)<\/Code>/.exec(text)?.[1];

/** POSTs the file with the grant's fields, reporting progress; resolves when S3 has it. */
export function sendFile(
  grant: Grant,
  file: File,
  progress: (loaded: number, total: number) => void,
): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(grant.fields)) form.append(name, value);
  // S3 takes the fields before the file: the file must be the form's last field.
  form.append("file", file);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", grant.url);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress(event.loaded, event.total);
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) return resolve();
      const code = s3Code(request.responseText);
      if (code === "EntityTooLarge")
        return reject(
          new UploadProblem(
            "file",
            `That file is over ${megabytes} MB. Save it smaller and choose it again.`,
          ),
        );
      if (code === "AccessDenied")
        return reject(
          new UploadProblem("captcha", "The upload permission expired. Choose the file again to start over."),
        );
      reject(
        new UploadProblem("network", `The upload was refused (${code ?? request.status}). Please try again.`),
      );
    });
    const lost = () =>
      reject(
        new UploadProblem("network", "The upload did not get through. Check your connection and try again."),
      );
    request.addEventListener("error", lost);
    request.addEventListener("abort", lost);
    request.send(form);
  });
}

export interface AcceptedPicture {
  url: string;
  width: number;
  height: number;
}

/** The content check: the accepted picture's site path, or the check's own words on what to do. */
export async function checkPicture(uploadId: string): Promise<AcceptedPicture> {
  return (await post<{ image: AcceptedPicture }>(`/api/uploads/${encodeURIComponent(uploadId)}/check`)).image;
}
