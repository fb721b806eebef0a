/** The widget module `pathlens` (models and views on @jupyter-widgets/base 6), for every build. */
export { AttributionExplorerModel, AttributionExplorerView } from './explorer.js';
export { PathPlayerModel, PathPlayerView } from './player.js';
export { WIDGET_MODULE as MODULE_NAME, WIDGET_PACKAGE_VERSION as MODULE_VERSION } from '../../src/widgets/module.js';
