/** JupyterLab 4 plugin: registers the `pathlens` widget module with jupyterlab_widgets' registry. */
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { WIDGET_MODULE, WIDGET_PACKAGE_VERSION } from '../../src/widgets/module.js';
import * as widgets from './index.js';

const plugin = {
  id: 'pathlens:widgets',
  requires: [IJupyterWidgetRegistry],
  autoStart: true,
  activate: (_app: unknown, registry: IJupyterWidgetRegistry): void => {
    registry.registerWidget({ name: WIDGET_MODULE, version: WIDGET_PACKAGE_VERSION, exports: widgets as never });
  },
};

export default plugin;
