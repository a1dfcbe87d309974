import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

/**
 * The HTML shell of a Therapist webview: strict CSP (nothing by default; scripts only with this load's
 * nonce; styles and fonts only from the bundle folder), one script and one stylesheet from dist/webview.
 */
export function renderWebviewHtml(webview: vscode.Webview, bundle: vscode.Uri, entry: string, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(joinUri(bundle, `${entry}.js`));
  const style = webview.asWebviewUri(joinUri(bundle, `${entry}.css`));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>${title}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

function joinUri(base: vscode.Uri, file: string): vscode.Uri {
  return base.with({ path: `${base.path.replace(/\/$/, '')}/${file}` });
}
