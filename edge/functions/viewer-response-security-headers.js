// Viewer response (cloudfront-js-2.0): the security headers every GoodGreets response carries, without
// overriding one the origin chose on purpose.
function handler(event) {
  const headers = event.response.headers;
  const wanted = {
    "strict-transport-security": "max-age=63072000; includeSubDomains; preload",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "content-security-policy":
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  };
  Object.keys(wanted).forEach(function (name) {
    if (!headers[name]) headers[name] = { value: wanted[name] };
  });
  return event.response;
}
