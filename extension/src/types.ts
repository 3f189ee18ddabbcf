/**
 * The JSON the server extension (gonka_lab/labserver) answers; see its handlers.py.
 */

export interface INodeView {
  name: string;
  kind: string;
  state: string; // 'up' | 'catching up' | 'unreachable' | 'down'
  height: number | null;
  url: string;
}

export interface IParticipantRow {
  name: string;
  address: string;
  status: string;
  executor_status: string | null;
  weight: number | null;
  voting_power: number | null;
  reputation: number | null;
  height: number | null;
  phase: string | null;
  adversary: string;
  nodes: INodeView[];
}

export interface IStageMark {
  name: string;
  height: number;
  at: number; // 0..1 along the epoch
}

export interface IEpochView {
  index: number;
  effective_index: number;
  phase: string;
  stage: string;
  height: number;
  start_height: number;
  next_poc_start_height: number;
  progress: number;
  marks: IStageMark[];
}

export interface ISprintView {
  stage: string;
  progress: number;
  from_height: number;
  to_height: number;
  batches: number;
  nonces: Record<string, number>;
}

export interface IInferenceRow {
  id: string;
  model: string;
  executor: string;
  requested_by: string;
  status: string;
  outcome: string;
  height: number;
  tokens: number;
}

export interface ISnapshot {
  connected: boolean;
  // not connected
  discovered?: string | null;
  search_dir?: string;
  // connected
  connection?: { kind: 'devnet' | 'chain'; target: string };
  actions?: boolean;
  adversary_switch?: {
    available: boolean;
    modes: string[];
    reason: string | null;
  };
  error?: string | null;
  chain_id?: string | null;
  height?: number | null;
  nodes_up?: number;
  nodes_total?: number;
  epoch?: IEpochView | null;
  sprint?: ISprintView | null;
  inferences?: IInferenceRow[];
  participants?: IParticipantRow[];
}

export interface ILogs {
  node: string;
  path: string;
  lines: string[];
}
