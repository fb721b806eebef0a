/**
 * The widget module's identity, shared by the kernel side (what `comm_open` announces) and the front-end
 * bundles (what they register). Front ends load `<WIDGET_MODULE>@<version>/dist/index.js`, so the module is
 * the npm package itself and the range follows package.json's version (a test checks both).
 */
export const WIDGET_MODULE = 'pathlens';
/** The npm package version the front-end bundles register (package.json's `version`). */
export const WIDGET_PACKAGE_VERSION = '0.1.0';
/** The range models ask for. */
export const WIDGET_MODULE_VERSION = `^${WIDGET_PACKAGE_VERSION}`;

/** Widget protocol of ipywidgets 8 (`@jupyter-widgets/base` 6). */
export const PROTOCOL_VERSION = '2.1.0';
export const WIDGET_VIEW_MIME = 'application/vnd.jupyter.widget-view+json';
export const WIDGET_TARGET = 'jupyter.widget';
export const CONTROL_TARGET = 'jupyter.widget.control';

export const MODEL_NAMES = { explorer: 'AttributionExplorerModel', player: 'PathPlayerModel' } as const;
export const VIEW_NAMES = { explorer: 'AttributionExplorerView', player: 'PathPlayerView' } as const;
export type WidgetKind = keyof typeof MODEL_NAMES;

/** Where the user-adjustable traits start, on the kernel side and in the front-end models alike. */
export const INITIAL_TRAITS = {
  explorer: { sign: 'absolute', clip: 99.5, alpha: 0.6, shared_scale: false, pinned: null },
  player: { step: 0, sign: 'all', clip: 99.5, interval_ms: 120 },
} as const;
export const WIDGET_KINDS = Object.keys(MODEL_NAMES) as WidgetKind[];

/** The `_model_*`/`_view_*` keys every model's state starts with (`@jupyter-widgets/base` 6 DOMWidget). */
export function identity(kind: WidgetKind): Record<string, unknown> {
  return {
    _model_module: WIDGET_MODULE,
    _model_module_version: WIDGET_MODULE_VERSION,
    _model_name: MODEL_NAMES[kind],
    _view_module: WIDGET_MODULE,
    _view_module_version: WIDGET_MODULE_VERSION,
    _view_name: VIEW_NAMES[kind],
    _dom_classes: [],
  };
}
