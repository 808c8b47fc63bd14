// The official `openai` npm SDK's Realtime WebSocket client (OpenAIRealtimeWS, Node `ws`),
// unchanged, against the relay: only baseURL points at the relay and apiKey is a DONNA
// session token. The SDK always connects with wss, so the relay serves TLS here; the test CA
// comes in through NODE_EXTRA_CA_CERTS. Run by relay_server_tests (OpenAISdk.*), which starts
// the relay and the fake OpenAI Realtime upstream and reads the JSON summary printed here.
//
//   DONNA_RELAY_URL=https://localhost:8443/v1 DONNA_TOKEN=dt1.... node openai_realtime_sdk.mjs
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';

const fail = (why) => {
  console.error(`openai sdk test: ${why}`);
  process.exit(1);
};
setTimeout(() => fail('timed out after 20 s'), 20000).unref();

const client = new OpenAI({ apiKey: process.env.DONNA_TOKEN, baseURL: process.env.DONNA_RELAY_URL });
const rt = await OpenAIRealtimeWS.create(client, { model: 'gpt-realtime' });
const summary = { protocol: '', types: [], audioBytes: 0, transcript: '', errors: [] };

rt.socket.on('open', () => {
  summary.protocol = rt.socket.protocol;
  rt.send({
    type: 'session.update',
    session: { type: 'realtime', output_modalities: ['audio'], instructions: 'be a pirate' },
  });
  rt.send({ type: 'response.create' });
});
rt.on('error', (err) => summary.errors.push(err.error?.code ?? String(err.message)));
rt.on('event', (event) => {
  summary.types.push(event.type);
  if (event.type === 'response.output_audio.delta')
    summary.audioBytes += Buffer.from(event.delta, 'base64').length;
  if (event.type === 'response.output_audio_transcript.delta') summary.transcript += event.delta;
  if (event.type === 'response.done') {
    console.log(JSON.stringify(summary));
    rt.close();
    process.exit(0);
  }
});
rt.socket.on('close', (code) => fail(`socket closed (${code}) before response.done`));
