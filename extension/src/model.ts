import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { post, requestAPI } from './request';
import { ILogs, ISnapshot } from './types';

export interface IGonkaSettings {
  defaultURL: string;
  refreshInterval: number; // seconds
  autoConnect: boolean;
}

export const DEFAULT_SETTINGS: IGonkaSettings = {
  defaultURL: '',
  refreshInterval: 2,
  autoConnect: true
};

// Backoff ceiling while the network (or the Jupyter server) does not answer.
const MAX_BACKOFF_MS = 30_000;

/**
 * The state the sidebar and the status bar item share: the latest snapshot from the server
 * extension, refreshed by a poll that backs off while the network is down, and the actions.
 */
export class GonkaModel {
  constructor(settings: IGonkaSettings = DEFAULT_SETTINGS) {
    this._settings = settings;
    this._poll = new Poll({
      auto: true,
      factory: () => this._refresh(),
      frequency: this._frequency(),
      name: 'gonka-lab:state',
      standby: 'when-hidden'
    });
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get snapshot(): ISnapshot | null {
    return this._snapshot;
  }

  /** Why the last refresh or action failed, for the person; null when all is well. */
  get problem(): string | null {
    return this._problem;
  }

  get settings(): IGonkaSettings {
    return this._settings;
  }

  /** Nodes (or participants, for adversary switches) with an action in flight -> what is happening. */
  get busy(): ReadonlyMap<string, string> {
    return this._busy;
  }

  updateSettings(settings: IGonkaSettings): void {
    this._settings = settings;
    this._poll.frequency = this._frequency();
  }

  refreshNow(): Promise<void> {
    return this._poll.refresh();
  }

  async connect(url: string): Promise<void> {
    this._userDisconnected = false;
    await this._act(() => post<ISnapshot>('connect', { url }), true);
  }

  async disconnect(): Promise<void> {
    this._userDisconnected = true;
    await this._act(() => post<ISnapshot>('disconnect'), true);
  }

  async stopNode(name: string, kill = false): Promise<void> {
    await this._nodeAction(name, 'stopping', () =>
      post(`nodes/${encodeURIComponent(name)}/stop`, { kill })
    );
  }

  async startNode(name: string): Promise<void> {
    await this._nodeAction(name, 'starting', () =>
      post(`nodes/${encodeURIComponent(name)}/start`)
    );
  }

  /** Switch a participant's adversary mode ('' = honest); its ml and api nodes restart. */
  async setAdversary(participant: string, mode: string): Promise<void> {
    await this._nodeAction(
      participant,
      mode ? `switching to ${mode}` : 'switching to honest',
      () =>
        post(`participants/${encodeURIComponent(participant)}/adversary`, {
          mode: mode || 'off'
        })
    );
  }

  logs(name: string, lines = 200): Promise<ILogs> {
    return requestAPI<ILogs>(
      `nodes/${encodeURIComponent(name)}/logs?lines=${lines}`
    );
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  private _frequency() {
    const interval = Math.max(0.5, this._settings.refreshInterval) * 1000;
    return { interval, backoff: true, max: Math.max(interval, MAX_BACKOFF_MS) };
  }

  private async _nodeAction(
    name: string,
    what: string,
    call: () => Promise<unknown>
  ): Promise<void> {
    this._busy.set(name, what);
    this._changed.emit();
    try {
      await this._act(call, false);
    } finally {
      this._busy.delete(name);
      this._changed.emit();
    }
    await this.refreshNow();
  }

  /** Run an action; its failure is shown as the panel's problem, never only logged. */
  private async _act(
    call: () => Promise<unknown>,
    isSnapshot: boolean
  ): Promise<void> {
    try {
      const result = await call();
      this._problem = null;
      if (isSnapshot) {
        this._snapshot = result as ISnapshot;
      }
    } catch (error) {
      this._problem = (error as Error).message;
    }
    this._changed.emit();
  }

  /**
   * One poll tick. Rejecting makes the poll back off, so an unreachable network or server
   * is asked less and less often until it answers again.
   */
  private async _refresh(): Promise<void> {
    let snapshot: ISnapshot;
    try {
      snapshot = await requestAPI<ISnapshot>('state');
    } catch (error) {
      this._problem = (error as Error).message;
      this._changed.emit();
      throw error;
    }
    this._problem = null;
    if (
      !snapshot.connected &&
      this._settings.autoConnect &&
      !this._userDisconnected &&
      (snapshot.discovered || this._settings.defaultURL)
    ) {
      try {
        snapshot = await post<ISnapshot>('connect', {
          url: this._settings.defaultURL
        });
      } catch (error) {
        this._problem = (error as Error).message;
      }
    }
    this._snapshot = snapshot;
    this._changed.emit();
    if (snapshot.connected && snapshot.error) {
      throw new Error(snapshot.error);
    }
  }

  private _settings: IGonkaSettings;
  private _poll: Poll;
  private _snapshot: ISnapshot | null = null;
  private _problem: string | null = null;
  private _userDisconnected = false;
  private _busy = new Map<string, string>();
  private _changed = new Signal<this, void>(this);
}
