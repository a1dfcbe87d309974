// The typed messages between the extension host and the chat webview. Imported by both sides;
// nothing else is shared. Direction is in the type names.

/** Webview -> host. The webview sends `ready` once its script runs; only then does the host post state. */
export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'send'; text: string };

/** Host -> webview. */
export type HostToWebview =
  | { type: 'state'; model: string; limit: number };
