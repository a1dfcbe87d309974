// The box at the bottom: prompt input, its live token meter, Send and Stop.
import type { ChatRequests, MeterReading, WebviewToHost } from '../../protocol/chat';
import type { RpcClient } from '../../protocol/rpc';
import { dropSummary } from './format';
import { el, renderMeter } from './views';

/** Wait this long after the last keystroke before counting: typing never waits for a count. */
const MEASURE_DELAY_MS = 120;

export class Composer {
  readonly root = el('form', 'composer', undefined, 'composer');
  readonly input = el('textarea', 'composer-input', undefined, 'prompt-input');
  private readonly meterSlot = el('div', 'composer-meter-slot');
  private readonly send = el('button', 'button-primary', 'Send', 'send');
  private readonly stopButton = el('button', 'button-secondary stop-button', 'Stop', 'stop');
  /** The request id of the latest count: replies to older ones are stale and dropped. */
  private latest = 0;
  private timer: number | undefined;
  private streaming = false;

  constructor(
    private readonly post: (message: WebviewToHost) => void,
    private readonly rpc: RpcClient<ChatRequests>,
    /** Told every reading (the header shows the window and how full the next prompt would be). */
    private readonly onReading: (reading: MeterReading) => void,
  ) {
    this.input.id = 'prompt';
    this.input.rows = 3;
    this.input.placeholder = 'Ask about your code… (Enter to send, Shift+Enter for a new line)';
    this.input.setAttribute('aria-label', 'Message to Therapist');
    this.send.type = 'submit';
    this.stopButton.type = 'button';
    this.stopButton.hidden = true;
    const buttons = el('div', 'composer-buttons');
    buttons.append(this.send, this.stopButton);
    const row = el('div', 'composer-row');
    row.append(this.input, buttons);
    this.root.append(row, this.meterSlot);

    this.root.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener('input', () => this.scheduleMeasure());
    this.stopButton.addEventListener('click', () => this.post({ type: 'stop' }));
  }

  /** Counts the current text now (after a state change: the history changed, so the count did too). */
  measureNow(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const reading = this.rpc.request('measure', { text: this.input.value });
    const id = (this.latest = this.rpc.lastId);
    reading.then(
      (r) => id === this.latest && this.showMeter(r),
      (error: unknown) => id === this.latest && this.showMeterError(error instanceof Error ? error.message : String(error)),
    );
  }

  private showMeter(reading: MeterReading): void {
    const meter = renderMeter(reading.breakdown, 'composer-meter');
    if (reading.notice) meter.append(el('div', 'meter-warning', dropSummary(reading.notice), 'composer-meter-warning'));
    this.meterSlot.replaceChildren(meter);
    this.onReading(reading);
  }

  private showMeterError(message: string): void {
    this.meterSlot.replaceChildren(el('div', 'meter meter-error', `Cannot count tokens: ${message}`, 'composer-meter'));
  }

  setStreaming(streaming: boolean): void {
    this.streaming = streaming;
    this.stopButton.hidden = !streaming;
    this.send.hidden = streaming;
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text || this.streaming) return;
    this.post({ type: 'send', text });
    this.input.value = '';
    this.measureNow();
  }

  private scheduleMeasure(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.measureNow(), MEASURE_DELAY_MS);
  }
}
