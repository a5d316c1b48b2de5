// "Your own picture" on the create form: choose a file, answer the person check when asked, watch it
// upload, then see the accepted picture and describe it. Fetched only when someone picks it, it shares no
// module with the create page but Preact itself (upload-loader.ts says why): its fields are written out
// here rather than taken from field.tsx, and it is written with Preact's h() rather than JSX, whose runtime
// the create page's bundle carries together with the page's own code.
import { Fragment, h } from "preact";
import { useRef, useState } from "preact/hooks";
import { acceptedPictureTypes, maxUploadBytes } from "../../../origin/uploads/upload-limits.ts";
import {
  type AcceptedPicture,
  checkPicture,
  type Grant,
  precheck,
  requestGrant,
  sendFile,
  solveCaptcha,
  UploadProblem,
} from "./upload-steps.ts";

export interface UploadPictureProps {
  /** The most characters the description may have (the card schema's limit). */
  altMax: number;
  /** The form's errors by field; this part shows upload.url's, upload's and upload.alt's. */
  errors: Partial<Record<string, string>>;
  /** The card's picture as POST /api/cards takes it, once the picture is accepted; undefined before. */
  onChange: (upload: { url: string; alt: string } | undefined) => void;
}

type Phase =
  | { step: "idle" }
  | { step: "captcha" }
  | { step: "sending"; percent: number }
  | { step: "checking" };

/** A solved CAPTCHA's token, good for several uploads until WAF says it has expired. */
let captchaToken: string | undefined;

/** A labelled control with its hint and error, as field.tsx lays them out. */
function field(name: string, label: string, hint: string, error: string | undefined, control: object) {
  return h(
    "div",
    { class: error ? "field field--invalid" : "field" },
    h("label", { for: name }, label),
    h("p", { class: "field__hint", id: `${name}-hint` }, hint),
    h("input", {
      id: name,
      name,
      "aria-describedby": error ? `${name}-hint ${name}-error` : `${name}-hint`,
      "aria-invalid": error ? "true" : undefined,
      ...control,
    }),
    error ? h("p", { class: "field__error", id: `${name}-error` }, error) : null,
  );
}

/** WAF's JavaScript CAPTCHA API: the create page names it (the web ACL's in AWS, the local WAF's here). */
const captchaScript = () =>
  document.getElementById("create-card")?.dataset.captchaScript ?? "/.local-waf/jsapi.js";

export function UploadPicture({ altMax, errors, onChange }: UploadPictureProps) {
  const [phase, setPhase] = useState<Phase>({ step: "idle" });
  const [problem, setProblem] = useState<string>();
  const [picture, setPicture] = useState<AcceptedPicture>();
  const [alt, setAlt] = useState("");
  const captcha = useRef<HTMLDivElement>(null);

  async function grantWithCaptcha(): Promise<Grant> {
    for (;;) {
      if (captchaToken === undefined) {
        setPhase({ step: "captcha" });
        captchaToken = await solveCaptcha(captchaScript(), captcha.current as HTMLDivElement);
        captcha.current?.replaceChildren();
      }
      try {
        return await requestGrant(captchaToken);
      } catch (error) {
        if (!(error instanceof UploadProblem && error.kind === "captcha")) throw error;
        captchaToken = undefined;
        setProblem(error.message);
      }
    }
  }

  const choose = async (event: Event) => {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    setPicture(undefined);
    onChange(undefined);
    const early = precheck(file);
    setProblem(early?.message);
    if (early) return;
    try {
      const grant = await grantWithCaptcha();
      setProblem(undefined);
      setPhase({ step: "sending", percent: 0 });
      await sendFile(grant, file, (loaded, total) =>
        setPhase({ step: "sending", percent: Math.floor((loaded / total) * 100) }),
      );
      setPhase({ step: "checking" });
      const accepted = await checkPicture(grant.uploadId);
      setPicture(accepted);
      onChange({ url: accepted.url, alt });
    } catch (error) {
      if (!(error instanceof UploadProblem)) throw error;
      setProblem(error.message);
    } finally {
      setPhase({ step: "idle" });
    }
  };

  const describe = (event: Event) => {
    const text = (event.currentTarget as HTMLInputElement).value;
    setAlt(text);
    if (picture) onChange({ url: picture.url, alt: text });
  };

  const said =
    phase.step === "captcha"
      ? "First, show us you are a person: answer the question below."
      : phase.step === "sending"
        ? "Uploading your picture…"
        : phase.step === "checking"
          ? "Checking your picture…"
          : picture
            ? "Your picture is ready. Describe it below."
            : "";

  return h(
    "div",
    { class: "upload-picture" },
    field(
      "uploadFile",
      "Your picture",
      `A JPEG, PNG, WebP, GIF or AVIF photo, up to ${maxUploadBytes / 1024 / 1024} MB.`,
      problem ?? errors["upload.url"] ?? errors.upload,
      {
        type: "file",
        accept: acceptedPictureTypes,
        "data-field": "upload.url",
        disabled: phase.step !== "idle",
        onChange: choose,
      },
    ),
    h("p", { class: "upload-picture__status", role: "status" }, said),
    h("div", { ref: captcha, class: "upload-picture__captcha" }),
    phase.step === "sending"
      ? h(
          "div",
          { class: "upload-picture__progress" },
          h("label", { for: "upload-progress" }, "Upload progress"),
          h("progress", { id: "upload-progress", max: 100, value: phase.percent }, `${phase.percent}%`),
          h("span", { "aria-hidden": "true" }, `${phase.percent}%`),
        )
      : null,
    picture
      ? h(
          Fragment,
          null,
          h("img", {
            class: "upload-picture__preview",
            src: `${picture.url}?w=480`,
            srcset: `${picture.url}?w=480 480w, ${picture.url}?w=960 960w`,
            sizes: "16rem",
            alt: alt.trim() === "" ? "Your picture" : alt,
            width: 480,
            height: Math.round((480 * picture.height) / picture.width),
          }),
          field(
            "uploadAlt",
            "Describe your picture",
            "For people who cannot see it, for example: Sam laughing on the beach.",
            errors["upload.alt"],
            {
              type: "text",
              required: true,
              maxLength: altMax,
              "data-field": "upload.alt",
              value: alt,
              onInput: describe,
            },
          ),
        )
      : null,
  );
}
