import { Widget } from '@lumino/widgets';

import { GonkaModel } from './model';
import { ISnapshot } from './types';

/** "Gonka: N nodes · epoch E · phase" in the status bar; a click opens the sidebar. */
export class GonkaStatusItem extends Widget {
  constructor(model: GonkaModel, onClick: () => void) {
    super();
    this.addClass('jp-gonka-statusitem');
    this.node.title = 'Gonka network: click to open the sidebar';
    this.node.addEventListener('click', onClick);
    this._model = model;
    model.changed.connect(this._render, this);
    this._render();
  }

  private _render(): void {
    const snapshot = this._model.snapshot;
    const text = statusText(snapshot);
    const down = !!snapshot?.connected && !!snapshot.error;
    this.node.textContent = text;
    this.node.classList.toggle('jp-gonka-statusitem-down', down);
  }

  private _model: GonkaModel;
}

export function statusText(snapshot: ISnapshot | null): string {
  if (!snapshot) {
    return 'Gonka: …';
  }
  if (!snapshot.connected) {
    return 'Gonka: not connected';
  }
  const nodes = `${snapshot.nodes_up} node${snapshot.nodes_up === 1 ? '' : 's'}`;
  if (!snapshot.epoch) {
    return `Gonka: ${nodes} · ${snapshot.error ? 'network down' : '…'}`;
  }
  return `Gonka: ${nodes} · epoch ${snapshot.epoch.index} · ${snapshot.epoch.phase}`;
}
