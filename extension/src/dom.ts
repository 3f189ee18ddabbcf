/**
 * A tiny element builder: text goes in as text nodes (never as HTML), so names and log lines
 * coming from the network cannot inject markup.
 */
export function h(
  tag: string,
  attrs: Record<string, string | number | boolean | null | undefined> = {},
  ...children: (Node | string | number | null | undefined)[]
): HTMLElement {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) {
      continue;
    }
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** A button whose click runs `onClick`; marked `data-bound` for morphChildren. */
export function button(
  label: string,
  className: string,
  onClick: () => Promise<unknown>,
  title?: string
): HTMLElement {
  const node = h(
    'button',
    { class: className, title, 'data-bound': true },
    label
  );
  node.addEventListener('click', () => void onClick());
  return node;
}

/** A progress bar 0..1 with optional tick marks (fractions) and a label inside. */
export function progressBar(
  fraction: number,
  label: string,
  ticks: { at: number; title: string }[] = [],
  className = ''
): HTMLElement {
  const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 1000) / 10;
  const bar = h(
    'div',
    {
      class: `jp-gonka-progress ${className}`,
      role: 'progressbar',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': percent
    },
    h('div', {
      class: 'jp-gonka-progress-fill',
      style: `width: ${percent}%`
    }),
    ...ticks.map(tick =>
      h('div', {
        class: 'jp-gonka-progress-tick',
        style: `left: ${Math.round(tick.at * 1000) / 10}%`,
        title: tick.title
      })
    ),
    h('span', { class: 'jp-gonka-progress-label' }, label)
  );
  return bar;
}

/** "gonka1abc…wxyz": long bech32 addresses and ids fit a narrow sidebar (full text in a title). */
export function shorten(text: string, head = 8, tail = 6): string {
  return text.length <= head + tail + 1
    ? text
    : `${text.slice(0, head)}…${text.slice(-tail)}`;
}

export function humanize(name: string): string {
  return name.replace(/_/g, ' ');
}

/**
 * Make `current`'s children look like `next`'s while touching only what changed, so a button
 * under the pointer survives a refresh and a click on it is not lost. Elements carrying a
 * listener are marked `data-bound` and replaced whole when they differ (their listener too).
 */
export function morphChildren(current: Element, next: Element): void {
  const have = Array.from(current.childNodes);
  const want = Array.from(next.childNodes);
  const sameShape =
    have.length === want.length &&
    have.every(
      (node, i) =>
        node.nodeType === want[i].nodeType &&
        (node.nodeType !== Node.ELEMENT_NODE ||
          (node as Element).tagName === (want[i] as Element).tagName)
    );
  if (!sameShape) {
    current.replaceChildren(...want);
    return;
  }
  have.forEach((node, i) => morphNode(node, want[i]));
}

function morphNode(current: ChildNode, next: ChildNode): void {
  if (current.isEqualNode(next)) {
    return;
  }
  if (current.nodeType !== Node.ELEMENT_NODE) {
    current.textContent = next.textContent;
    return;
  }
  const have = current as Element;
  const want = next as Element;
  if (have.hasAttribute('data-bound')) {
    have.replaceWith(want);
    return;
  }
  for (const attr of Array.from(have.attributes)) {
    if (!want.hasAttribute(attr.name)) {
      have.removeAttribute(attr.name);
    }
  }
  for (const attr of Array.from(want.attributes)) {
    if (have.getAttribute(attr.name) !== attr.value) {
      have.setAttribute(attr.name, attr.value);
    }
  }
  morphChildren(have, want);
}
