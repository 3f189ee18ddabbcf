import { JupyterFrontEnd } from '@jupyterlab/application';

import { ISnapshot } from './types';

/**
 * The address a notebook should `%gonka connect` to: a bare chain connection's node, else the
 * devnet's first answering api node, else its first answering chain node.
 */
export function connectURL(snapshot: ISnapshot | null): string {
  if (!snapshot?.connected || !snapshot.connection) {
    return '';
  }
  if (snapshot.connection.kind === 'chain') {
    return snapshot.connection.target;
  }
  const nodes = (snapshot.participants ?? []).flatMap(p => p.nodes);
  const live = nodes.filter(n => n.state === 'up');
  const pick =
    live.find(n => n.kind === 'api') ?? live.find(n => n.kind === 'chain');
  return pick?.url ?? '';
}

/** Create and open a notebook whose first cell loads the magics and connects to `url`. */
export async function openConnectedNotebook(
  app: JupyterFrontEnd,
  url: string
): Promise<void> {
  const contents = app.serviceManager.contents;
  const model = await contents.newUntitled({ type: 'notebook', path: '' });
  const source = ['%load_ext gonka_lab', `%gonka connect ${url}`].join('\n');
  await contents.save(model.path, {
    type: 'notebook',
    format: 'json',
    content: {
      cells: [
        {
          cell_type: 'code',
          execution_count: null,
          metadata: {},
          outputs: [],
          source
        }
      ],
      metadata: {
        kernelspec: {
          display_name: 'Python 3 (ipykernel)',
          language: 'python',
          name: 'python3'
        }
      },
      nbformat: 4,
      nbformat_minor: 5
    }
  });
  await app.commands.execute('docmanager:open', {
    path: model.path,
    factory: 'Notebook'
  });
}
