/**
 * The JupyterLab 4 extension's plugins: the `pathlens` widget module, registered with jupyterlab_widgets'
 * registry, and a Plotly renderer for pathlens's figures (plotly.ts).
 */
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { WIDGET_MODULE, WIDGET_PACKAGE_VERSION } from '../../src/widgets/module.js';
import * as widgets from './index.js';
import { plotlyPlugin } from './plotly.js';

const widgetsPlugin = {
  id: 'pathlens:widgets',
  description: 'Registers the pathlens widgets (attribution explorer, path player) with jupyterlab_widgets',
  requires: [IJupyterWidgetRegistry],
  autoStart: true,
  activate: (_app: unknown, registry: IJupyterWidgetRegistry): void => {
    registry.registerWidget({ name: WIDGET_MODULE, version: WIDGET_PACKAGE_VERSION, exports: widgets as never });
  },
};

export default [widgetsPlugin, plotlyPlugin];
