import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';

import { gonkaIcon } from './icon';
import { DEFAULT_SETTINGS, GonkaModel, IGonkaSettings } from './model';
import { connectURL, openConnectedNotebook } from './notebook';
import { GonkaSidebar, SIDEBAR_ID } from './sidebar';
import { GonkaStatusItem } from './statusbar';

const PLUGIN_ID = 'gonka-lab:plugin';

namespace CommandIDs {
  export const open = 'gonka-lab:open';
  export const notebook = 'gonka-lab:new-notebook';
}

function readSettings(
  settings: ISettingRegistry.ISettings | null
): IGonkaSettings {
  if (!settings) {
    return DEFAULT_SETTINGS;
  }
  return {
    defaultURL: settings.get('defaultURL').composite as string,
    refreshInterval: settings.get('refreshInterval').composite as number,
    autoConnect: settings.get('autoConnect').composite as boolean
  };
}

/**
 * The "Gonka network" left sidebar, its status bar item and two commands (open the panel,
 * open a connected notebook), all fed by one GonkaModel.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Gonka network sidebar and status bar item',
  autoStart: true,
  optional: [ISettingRegistry, ILayoutRestorer, IStatusBar, ICommandPalette],
  activate: async (
    app: JupyterFrontEnd,
    registry: ISettingRegistry | null,
    restorer: ILayoutRestorer | null,
    statusBar: IStatusBar | null,
    palette: ICommandPalette | null
  ) => {
    let settings: ISettingRegistry.ISettings | null = null;
    if (registry) {
      try {
        settings = await registry.load(PLUGIN_ID);
      } catch (error) {
        console.warn('gonka-lab: settings not loaded, using defaults', error);
      }
    }
    const model = new GonkaModel(readSettings(settings));
    settings?.changed.connect(() =>
      model.updateSettings(readSettings(settings))
    );

    app.commands.addCommand(CommandIDs.notebook, {
      label: 'Gonka: New Notebook Connected to the Network',
      icon: gonkaIcon,
      execute: () => openConnectedNotebook(app, connectURL(model.snapshot))
    });
    app.commands.addCommand(CommandIDs.open, {
      label: 'Gonka: Open Network Sidebar',
      icon: gonkaIcon,
      execute: () => app.shell.activateById(SIDEBAR_ID)
    });

    const sidebar = new GonkaSidebar(model, () => {
      void app.commands.execute(CommandIDs.notebook);
    });
    sidebar.title.icon = gonkaIcon;
    sidebar.title.caption = 'Gonka network';
    app.shell.add(sidebar, 'left', { rank: 300 });
    restorer?.add(sidebar, SIDEBAR_ID);

    if (statusBar) {
      statusBar.registerStatusItem(`${PLUGIN_ID}:status`, {
        item: new GonkaStatusItem(model, () => {
          void app.commands.execute(CommandIDs.open);
        }),
        align: 'left',
        rank: 10
      });
    }
    palette?.addItem({ command: CommandIDs.open, category: 'Gonka' });
    palette?.addItem({ command: CommandIDs.notebook, category: 'Gonka' });
  }
};

export default plugin;
