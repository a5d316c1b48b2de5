// Viewer request (cloudfront-js-2.0): maps clean URLs onto the site bucket's keys. S3's REST endpoint has
// no index documents, so "/designs/birthday/" asks for "/designs/birthday/index.html", and a folder named
// without its trailing slash is redirected so relative links resolve and each page has one URL.
// A card or organiser link (/c/<cardId>, /o/<cardId>) is one static shell per kind: the page reads the id
// from its own address and fetches the data, so every id maps onto the kind's index.html. (Sign links,
// /s/<signId>, are served by the API with the card's link preview; the mapping holds for them too.)
export function handler(event) {
  const request = event.request;
  const uri = request.uri.replace(/\/{2,}/g, "/");
  if (uri.startsWith("/api/") || uri.startsWith("/img/") || uri.startsWith("/_astro/")) {
    request.uri = uri;
    return request;
  }
  const capability = /^\/([cso])\/[A-Za-z0-9_-]+\/?$/.exec(uri);
  if (capability) {
    request.uri = "/" + capability[1] + "/index.html";
    return request;
  }
  if (uri.endsWith("/")) {
    request.uri = uri + "index.html";
    return request;
  }
  const last = uri.slice(uri.lastIndexOf("/") + 1);
  if (last.indexOf(".") === -1) {
    const query = Object.keys(request.querystring)
      .map(function (name) {
        const entry = request.querystring[name];
        const values = entry.multiValue ? entry.multiValue : [entry];
        return values
          .map(function (item) {
            return item.value === "" ? name : name + "=" + item.value;
          })
          .join("&");
      })
      .join("&");
    return {
      statusCode: 301,
      statusDescription: "Moved Permanently",
      headers: {
        location: { value: uri + "/" + (query ? "?" + query : "") },
        "cache-control": { value: "public, max-age=3600" },
      },
    };
  }
  request.uri = uri;
  return request;
}
