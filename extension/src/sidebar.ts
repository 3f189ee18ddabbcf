import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { button, h, morphChildren, shorten } from './dom';
import { GonkaModel } from './model';
import {
  alert,
  epochSection,
  inferencesSection,
  phaseLabel,
  sprintSection,
  summary
} from './sections';
import { INodeView, IParticipantRow, ISnapshot } from './types';

export const SIDEBAR_ID = 'gonka-lab-sidebar';

/**
 * The "Gonka network" panel: a connection box that stays put while the rest (alerts, epoch,
 * sprint, participants, inferences) is rebuilt from each snapshot.
 */
export class GonkaSidebar extends Widget {
  constructor(model: GonkaModel, openNotebook: () => void) {
    super();
    this.id = SIDEBAR_ID;
    this.addClass('jp-gonka-sidebar');
    this._model = model;

    this._url = h('input', {
      class: 'jp-gonka-url jp-mod-styled',
      type: 'text',
      placeholder: 'empty = local devnet, or chain HOST:PORT',
      title:
        'A chain node (HOST:PORT), a devnet folder, or empty to find the local devnet ($GONKA_DEVNET_DIR or $GONKA_HOME/devnet)',
      'aria-label': 'network URL'
    }) as HTMLInputElement;
    this._url.value = model.settings.defaultURL;
    this._url.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        void model.connect(this._url.value);
      }
    });
    const connect = button('Connect', 'jp-gonka-connect', () =>
      model.connect(this._url.value)
    );
    const disconnect = button('Disconnect', 'jp-gonka-disconnect', () =>
      model.disconnect()
    );
    const notebook = button(
      'New notebook',
      'jp-gonka-notebook',
      async () => openNotebook(),
      'Open a notebook with %load_ext gonka_lab and %gonka connect for this network'
    );
    this._body = h('div', { class: 'jp-gonka-body' });
    this.node.append(
      h('header', { class: 'jp-gonka-header' }, h('h2', {}, 'Gonka network')),
      h(
        'div',
        { class: 'jp-gonka-connection' },
        this._url,
        connect,
        disconnect,
        notebook
      ),
      this._body
    );
    model.changed.connect(this._render, this);
    this._render();
  }

  private _render(): void {
    const next = h('div', {}, ...this._sections(this._model.snapshot));
    morphChildren(this._body, next);
  }

  private _sections(snapshot: ISnapshot | null): HTMLElement[] {
    const sections: HTMLElement[] = [];
    const problem = this._model.problem;
    if (problem) {
      sections.push(alert(problem));
    }
    if (snapshot === null) {
      sections.push(h('p', { class: 'jp-gonka-muted' }, 'Loading…'));
      return sections;
    }
    if (!snapshot.connected) {
      sections.push(
        h(
          'p',
          { class: 'jp-gonka-muted jp-gonka-disconnected' },
          snapshot.discovered
            ? `Not connected. A devnet was found in ${snapshot.discovered}: press Connect.`
            : `Not connected. No devnet in ${snapshot.search_dir}; start one with \`gonka net up\` or enter a chain node URL.`
        )
      );
      return sections;
    }
    if (snapshot.error) {
      sections.push(alert(snapshot.error));
    }
    sections.push(summary(snapshot));
    if (snapshot.epoch) {
      sections.push(epochSection(snapshot.epoch));
    }
    if (snapshot.sprint) {
      sections.push(sprintSection(snapshot.sprint));
    }
    sections.push(this._participants(snapshot));
    sections.push(inferencesSection(snapshot.inferences ?? []));
    return sections;
  }

  private _participants(snapshot: ISnapshot): HTMLElement {
    const head = [
      'participant',
      'status',
      'weight',
      'power',
      'rep.',
      'height',
      'phase'
    ];
    // Each participant is two table rows (its figures, then its actions) so the table fits
    // a sidebar's width.
    const rows = (snapshot.participants ?? []).flatMap(row => [
      this._participantRow(row),
      h(
        'tr',
        { class: 'jp-gonka-actions-row', 'data-actions-of': row.name },
        h(
          'td',
          { colspan: head.length, class: 'jp-gonka-actions' },
          ...this._actions(row, snapshot)
        )
      )
    ]);
    return h(
      'section',
      { class: 'jp-gonka-participants' },
      h('h3', {}, 'Participants'),
      h(
        'table',
        { class: 'jp-gonka-table' },
        h('thead', {}, h('tr', {}, ...head.map(name => h('th', {}, name)))),
        h('tbody', {}, ...rows)
      )
    );
  }

  private _participantRow(row: IParticipantRow): HTMLElement {
    const status = h(
      'td',
      {
        class: `jp-gonka-status jp-gonka-state-${row.status.replace(/ /g, '-')}`,
        'data-status': row.status,
        title: row.nodes.map(n => `${n.name}: ${n.state}`).join('\n')
      },
      row.status,
      row.executor_status
        ? h(
            'div',
            { class: 'jp-gonka-muted', title: 'executor status' },
            row.executor_status.toLowerCase()
          )
        : null
    );
    return h(
      'tr',
      { 'data-participant': row.name },
      h(
        'td',
        { class: 'jp-gonka-name' },
        row.name,
        h(
          'div',
          {
            class: 'jp-gonka-mono jp-gonka-muted jp-gonka-address',
            title: row.address
          },
          shorten(row.address, 8, 5)
        )
      ),
      status,
      h('td', { class: 'jp-gonka-num' }, row.weight ?? '–'),
      h(
        'td',
        { class: 'jp-gonka-num', title: 'voting power' },
        row.voting_power ?? '–'
      ),
      h(
        'td',
        { class: 'jp-gonka-num', title: 'reputation' },
        row.reputation ?? '–'
      ),
      h(
        'td',
        {
          class: 'jp-gonka-num jp-gonka-height',
          'data-height': row.height ?? ''
        },
        row.height ?? '–'
      ),
      h(
        'td',
        { class: 'jp-gonka-phase-cell', title: row.phase ?? '' },
        row.phase ? phaseLabel(row.phase) : '–'
      )
    );
  }

  private _actions(row: IParticipantRow, snapshot: ISnapshot): HTMLElement[] {
    if (!snapshot.actions) {
      return [
        h(
          'span',
          { class: 'jp-gonka-muted', title: 'actions need a local devnet' },
          '–'
        )
      ];
    }
    const controls = row.nodes.map(node =>
      this._nodeActions(node, row.nodes.length > 1)
    );
    controls.push(this._adversaryControl(row, snapshot));
    return controls;
  }

  /** A select (honest / each mode) that switches the participant, or why it cannot. */
  private _adversaryControl(
    row: IParticipantRow,
    snapshot: ISnapshot
  ): HTMLElement {
    const busy = this._model.busy.get(row.name);
    if (busy) {
      return h(
        'span',
        {
          class: 'jp-gonka-adversary jp-gonka-muted jp-gonka-busy',
          'data-participant': row.name
        },
        `${busy}…`
      );
    }
    const sw = snapshot.adversary_switch;
    const modes = sw?.available ? sw.modes : [];
    // The current mode is listed even when the switch is off, so the row still shows it.
    const options = ['', ...modes];
    if (row.adversary && !options.includes(row.adversary)) {
      options.push(row.adversary);
    }
    const select = h(
      'select',
      {
        class: 'jp-gonka-adversary-select jp-mod-styled',
        disabled: !sw?.available,
        'data-bound': true,
        'data-participant': row.name,
        'aria-label': `adversary mode of ${row.name}`
      },
      ...options.map(mode =>
        h(
          'option',
          { value: mode, selected: mode === row.adversary },
          mode || 'honest'
        )
      )
    ) as HTMLSelectElement;
    select.addEventListener('change', () => {
      void this._model.setAdversary(row.name, select.value);
    });
    return h(
      'label',
      {
        class: 'jp-gonka-adversary',
        title: sw?.available
          ? `Switch ${row.name} to an adversary mode (restarts its ml and api nodes)`
          : sw?.reason ?? ''
      },
      'adversary',
      select
    );
  }

  private _nodeActions(node: INodeView, labelled: boolean): HTMLElement {
    const busy = this._model.busy.get(node.name);
    const prefix = labelled ? `${node.kind} ` : '';
    const running = node.state !== 'down';
    const toggle = busy
      ? h('span', { class: 'jp-gonka-muted jp-gonka-busy' }, `${busy}…`)
      : running
        ? button(
            `${prefix}stop`,
            'jp-gonka-stop',
            () => this._model.stopNode(node.name),
            `Stop ${node.name} (SIGTERM)`
          )
        : button(
            `${prefix}start`,
            'jp-gonka-start',
            () => this._model.startNode(node.name),
            `Start ${node.name} from its data`
          );
    toggle.setAttribute('data-node', node.name);
    const logs = button(
      `${prefix}logs`,
      'jp-gonka-logs',
      () => this._showLogs(node.name),
      `Last lines of ${node.name}'s log`
    );
    logs.setAttribute('data-node', node.name);
    return h('span', { class: 'jp-gonka-node-actions' }, toggle, logs);
  }

  private async _showLogs(name: string): Promise<void> {
    let text: string;
    let title = `${name} log`;
    try {
      const logs = await this._model.logs(name);
      text = logs.lines.join('\n') || '(the log is empty)';
      title = `${name} log (${logs.path})`;
    } catch (error) {
      text = `Could not read the log: ${(error as Error).message}`;
    }
    const body = new Widget({
      node: h('pre', { class: 'jp-gonka-log' }, text)
    });
    await showDialog({
      title,
      body,
      buttons: [Dialog.okButton({ label: 'Close' })]
    });
  }

  private _model: GonkaModel;
  private _url: HTMLInputElement;
  private _body: HTMLElement;
}
