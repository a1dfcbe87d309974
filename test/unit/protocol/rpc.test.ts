import assert from 'node:assert/strict';
import { RpcClient, RpcError, answerRequest, isRequest, type RpcHandlers, type RpcReply, type RpcRequest } from '../../../src/protocol/rpc';

type Requests = {
  double: { params: { n: number }; result: number };
  fail: { params: Record<string, never>; result: string };
};

describe('protocol: paired requests and replies', () => {
  const handlers: RpcHandlers<Requests> = {
    double: async ({ n }) => n * 2,
    fail: () => {
      throw new Error('no such model');
    },
  };
  /** A client and a host joined as the webview and the extension are, through posted messages. */
  function wire() {
    const toHost: RpcRequest<Requests>[] = [];
    const client = new RpcClient<Requests>((m) => toHost.push(m));
    const deliver = async () => {
      for (const m of toHost.splice(0)) {
        assert.ok(isRequest(m));
        await answerRequest(
          m,
          handlers,
          (reply: RpcReply<Requests>) => client.receive(JSON.parse(JSON.stringify(reply))),
          (e) => ({ code: 'unexpected', message: String((e as Error).message) }),
        );
      }
    };
    return { client, deliver };
  }

  it('pairs each reply with its request, whatever order they are answered in', async () => {
    const { client, deliver } = wire();
    const a = client.request('double', { n: 2 });
    const b = client.request('double', { n: 5 });
    assert.equal(client.lastId, 2);
    await deliver();
    assert.deepEqual(await Promise.all([a, b]), [4, 10]);
  });

  it('a failing handler rejects the request with the error in words, and the host does not throw', async () => {
    const { client, deliver } = wire();
    const failed = client.request('fail', {});
    await deliver();
    await assert.rejects(failed, (e: unknown) => e instanceof RpcError && e.method === 'fail' && e.code === 'unexpected' && e.message === 'no such model');
  });

  it('ignores messages that are not replies it waits for', () => {
    const client = new RpcClient<Requests>(() => undefined);
    assert.equal(client.receive({ type: 'state' }), false);
    assert.equal(client.receive({ type: 'reply', id: 99, method: 'double', ok: true, result: 1 }), false);
  });
});
