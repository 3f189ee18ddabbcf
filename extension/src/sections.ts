/**
 * The sidebar's read-only sections, built from one snapshot: alerts, the summary line, the
 * epoch and sprint progress bars and the latest inferences.
 */
import { h, humanize, progressBar, shorten } from './dom';
import { IEpochView, IInferenceRow, ISnapshot, ISprintView } from './types';

/** "PoCValidateWindDown" -> "PoC validate wind down": wraps in a narrow column. */
export function phaseLabel(phase: string): string {
  const rest = phase.startsWith('PoC') ? phase.slice(3) : phase;
  const words = rest.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return phase.startsWith('PoC') ? `PoC ${words}` : words;
}

export function alert(message: string): HTMLElement {
  return h('div', { class: 'jp-gonka-alert', role: 'alert' }, message);
}

export function summary(snapshot: ISnapshot): HTMLElement {
  const target = snapshot.connection
    ? `${snapshot.connection.kind} ${snapshot.connection.target}`
    : '';
  return h(
    'div',
    { class: 'jp-gonka-summary' },
    h('span', {}, snapshot.chain_id ?? '–'),
    h('span', {}, `height ${snapshot.height ?? '–'}`),
    h(
      'span',
      { class: 'jp-gonka-nodes-up' },
      `${snapshot.nodes_up}/${snapshot.nodes_total} nodes up`
    ),
    h('div', { class: 'jp-gonka-muted jp-gonka-target', title: target }, target)
  );
}

export function epochSection(epoch: IEpochView): HTMLElement {
  const ticks = epoch.marks.map(mark => ({
    at: mark.at,
    title: `${humanize(mark.name)} @ ${mark.height}`
  }));
  return h(
    'section',
    { class: 'jp-gonka-epoch', 'data-epoch': epoch.index },
    h(
      'h3',
      {},
      `Epoch ${epoch.index}`,
      h('span', { class: 'jp-gonka-phase' }, epoch.phase)
    ),
    progressBar(
      epoch.progress,
      `${humanize(epoch.stage)} · ${epoch.height} → ${epoch.next_poc_start_height}`,
      ticks
    ),
    h(
      'div',
      { class: 'jp-gonka-muted' },
      `effective epoch ${epoch.effective_index} · next PoC at ${epoch.next_poc_start_height}`
    )
  );
}

export function sprintSection(sprint: ISprintView): HTMLElement {
  const nonces = Object.entries(sprint.nonces);
  return h(
    'section',
    { class: 'jp-gonka-sprint' },
    h('h3', {}, `PoC sprint: ${sprint.stage}`),
    progressBar(
      sprint.progress,
      `${sprint.from_height} → ${sprint.to_height} · ${sprint.batches} batches`,
      [],
      'jp-gonka-progress-sprint'
    ),
    nonces.length
      ? h(
          'ul',
          { class: 'jp-gonka-nonces' },
          ...nonces.map(([who, count]) =>
            h('li', {}, `${who}: ${count} nonces`)
          )
        )
      : h('div', { class: 'jp-gonka-muted' }, 'no batches yet')
  );
}

export function inferencesSection(rows: IInferenceRow[]): HTMLElement {
  if (!rows.length) {
    return h(
      'section',
      { class: 'jp-gonka-inferences' },
      h('h3', {}, 'Latest inferences'),
      h('p', { class: 'jp-gonka-muted' }, 'none yet')
    );
  }
  return h(
    'section',
    { class: 'jp-gonka-inferences' },
    h('h3', {}, 'Latest inferences'),
    h(
      'table',
      { class: 'jp-gonka-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['id', 'executor', 'model', 'tokens', 'height', 'validation'].map(
            name => h('th', {}, name)
          )
        )
      ),
      h(
        'tbody',
        {},
        ...rows.map(row =>
          h(
            'tr',
            { 'data-inference': row.id },
            h(
              'td',
              { title: row.id, class: 'jp-gonka-mono' },
              shorten(row.id, 6, 4)
            ),
            h('td', {}, row.executor),
            h('td', {}, row.model),
            h('td', { class: 'jp-gonka-num' }, row.tokens),
            h('td', { class: 'jp-gonka-num' }, row.height),
            h(
              'td',
              {
                class: `jp-gonka-outcome jp-gonka-outcome-${row.outcome.replace(/ /g, '-')}`,
                title: row.status
              },
              row.outcome
            )
          )
        )
      )
    )
  );
}
