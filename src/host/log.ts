import * as vscode from 'vscode';

/** The "Therapist" log channel. Usage lines also go to the developer console, as the docs promise. */
export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  constructor() {
    this.channel = vscode.window.createOutputChannel('Therapist', { log: true });
  }
  info(message: string): void {
    this.channel.info(message);
    if (process.env.THERAPIST_LOG_TO_CONSOLE) console.log(`[Therapist info] ${message}`);
  }
  warn(message: string): void {
    this.channel.warn(message);
    if (process.env.THERAPIST_LOG_TO_CONSOLE) console.log(`[Therapist warn] ${message}`);
  }
  error(message: string, error?: unknown): void {
    const detail =
      error instanceof Error ? `${error.name}: ${error.message}${error.stack ? `\n${error.stack}` : ''}` : error === undefined ? '' : String(error);
    this.channel.error(detail ? `${message}\n${detail}` : message);
    if (process.env.THERAPIST_LOG_TO_CONSOLE) console.log(`[Therapist error] ${message} ${detail}`);
  }
  /** One structured line per request: to the channel and to the developer console. */
  usage(line: string): void {
    this.channel.info(line);
    console.log(`[Therapist] ${line}`);
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
