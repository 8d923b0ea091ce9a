/* Building DOM nodes from data: text goes in with textContent and text nodes, never as HTML. */

/** An element with attributes (`text` sets its text, `class` its class) and children. */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child); // strings become text nodes
  }
  return node;
}
