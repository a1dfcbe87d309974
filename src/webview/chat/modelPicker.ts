// The model picker in the header: the server's installed models with each one's window, the current one marked,
// and for a current model the server lacks, the `ollama pull` command to copy. Choosing one sets therapist.model.
import type { ChatRequests, ModelChoice, WebviewToHost } from '../../protocol/chat';
import type { RpcClient } from '../../protocol/rpc';
import { formatWindow } from '../../shared/format';
import { el } from './views';

/** "4.9 GB", "780 MB". */
function formatBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${Math.round(n / 1e6)} MB`;
}

/** The facts shown beside a model's name. */
export function modelFacts(m: ModelChoice): string {
  if (!m.installed) return 'not installed';
  const parts: string[] = [];
  if (m.trainedContext) parts.push(`${formatWindow(m.trainedContext)} window`);
  if (m.parameterSize) parts.push(m.parameterSize);
  if (m.quantization) parts.push(m.quantization);
  if (m.size) parts.push(formatBytes(m.size));
  return parts.join(' · ');
}

export class ModelPicker {
  readonly root = el('div', 'model-picker');
  readonly button = el('button', 'model-button', '', 'model');
  private readonly list = el('div', 'model-list', undefined, 'model-list');

  constructor(
    private readonly rpc: RpcClient<ChatRequests>,
    private readonly post: (message: WebviewToHost) => void,
    private readonly notify: (text: string) => void,
  ) {
    this.button.type = 'button';
    this.button.setAttribute('aria-haspopup', 'listbox');
    this.button.setAttribute('aria-expanded', 'false');
    this.button.title = 'Choose the model (therapist.model)';
    this.list.setAttribute('role', 'listbox');
    this.list.hidden = true;
    this.root.append(this.button, this.list);
    this.button.addEventListener('click', () => (this.list.hidden ? this.open() : this.close()));
    document.addEventListener('keydown', (e) => e.key === 'Escape' && this.close());
    document.addEventListener('click', (e) => {
      if (!this.list.hidden && e.target instanceof Node && !this.root.contains(e.target)) this.close();
    });
  }

  /** The current model's name on the button. */
  show(model: string): void {
    this.button.textContent = model;
    this.button.dataset.model = model;
  }

  private open(): void {
    this.list.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    this.list.replaceChildren(el('div', 'model-list-status', 'Asking Ollama for its models…'));
    this.rpc.request('listModels', {}).then(
      (models) => this.render(models),
      (error: unknown) =>
        this.list.replaceChildren(
          el(
            'div',
            'model-list-status model-list-error',
            `Cannot list the models: ${error instanceof Error ? error.message : String(error)}`,
            'model-list-error',
          ),
        ),
    );
  }

  private close(): void {
    this.list.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
  }

  private render(models: ModelChoice[]): void {
    const items = models.map((m) => {
      const item = el('div', `model-item${m.current ? ' model-item-current' : ''}${m.installed ? '' : ' model-item-missing'}`, undefined, 'model-item');
      item.dataset.model = m.name;
      item.setAttribute('role', 'option');
      item.setAttribute('aria-selected', String(m.current));
      const choose = el('button', 'model-choose', undefined, 'model-choose');
      choose.type = 'button';
      choose.disabled = m.current;
      choose.append(el('span', 'model-name', `${m.current ? '✓ ' : ''}${m.name}`), el('span', 'model-facts', modelFacts(m), 'model-facts'));
      choose.addEventListener('click', () => this.choose(m.name));
      item.append(choose);
      if (m.pullCommand) {
        const copy = el('button', 'button-secondary model-pull', `Copy \`${m.pullCommand}\``, 'model-pull');
        copy.type = 'button';
        const command = m.pullCommand;
        copy.addEventListener('click', () => this.post({ type: 'copyCode', code: command }));
        item.append(copy);
      }
      return item;
    });
    this.list.replaceChildren(...(items.length ? items : [el('div', 'model-list-status', 'Ollama has no models installed. Run `ollama pull <model>`.')]));
  }

  private choose(model: string): void {
    this.close();
    this.show(model);
    // The host confirms with a notice and redraws the panel once the setting has changed.
    this.rpc
      .request('chooseModel', { model })
      .catch((error: unknown) => this.notify(`Could not set therapist.model: ${error instanceof Error ? error.message : String(error)}`));
  }
}
