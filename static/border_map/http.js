/* Reading our JSON endpoints. */

/* An error answer rejects with an Error carrying the status and the JSON `description` our
   endpoints give (api.BadParameter, 404s), so the page can say what went wrong. */
export async function fetchJSON(url, signal) {
  const response = await fetch(url, { signal, headers: { Accept: "application/json" } });
  if (response.ok) return response.json();
  const body = await response.json().catch(() => ({}));
  const error = new Error(`${url} answered ${response.status}`);
  error.status = response.status;
  error.description = typeof body.description === "string" ? body.description : "";
  error.parameter = typeof body.parameter === "string" ? body.parameter : "";
  throw error;
}

/** Whether an error is only the abort of a request a newer one replaced. */
export function isAbort(error) {
  return Boolean(error) && error.name === "AbortError";
}

export function ignoreAbort(error) {
  if (isAbort(error)) return;
  console.warn(error); // a failed layer must not stop the others
}

/** A fetchJSON that aborts its previous request when called again: only the latest view counts. */
export function latestOnly() {
  let request = null;
  return (url) => {
    if (request) request.abort();
    request = new AbortController();
    return fetchJSON(url, request.signal);
  };
}
