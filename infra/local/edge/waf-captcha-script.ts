// The local WAF's JavaScript CAPTCHA API, shaped like WAF's: AwsWafCaptcha.renderCaptcha(container,
// { onSuccess(token), onError(error) }) shows the question, takes the answer and hands the page a token.
export const captchaScript = `(() => {
  const base = "/.local-waf/";
  function renderCaptcha(container, options) {
    const form = document.createElement("form");
    form.className = "waf-captcha";
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.name = "answer";
    input.inputMode = "numeric";
    input.autocomplete = "off";
    input.required = true;
    const button = document.createElement("button");
    button.type = "submit";
    button.textContent = "Check";
    const status = document.createElement("p");
    status.setAttribute("role", "status");
    label.append(document.createElement("span"), input);
    form.append(label, button, status);
    container.replaceChildren(form);
    let challenge = "";
    async function ask() {
      const response = await fetch(base + "challenge", { cache: "no-store" });
      const next = await response.json();
      challenge = next.challenge;
      label.firstChild.textContent = next.question + " ";
      input.value = "";
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const response = await fetch(base + "verify", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ challenge, answer: input.value }),
        });
        const result = await response.json();
        if (response.ok) {
          status.textContent = "Thanks!";
          form.querySelectorAll("input, button").forEach((element) => { element.disabled = true; });
          if (options && options.onSuccess) options.onSuccess(result.token);
        } else {
          status.textContent = result.error;
          await ask();
        }
      } catch (error) {
        if (options && options.onError) options.onError(error);
      }
    });
    ask().catch((error) => options && options.onError && options.onError(error));
  }
  window.AwsWafCaptcha = { renderCaptcha };
  const interstitial = document.getElementById("captcha");
  if (interstitial) renderCaptcha(interstitial, { onSuccess: () => { interstitial.append("Go back and try again."); } });
})();
`;
