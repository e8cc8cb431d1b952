// The official Slack Node SDK (@slack/socket-mode SocketModeClient, @slack/web-api WebClient)
// against alertbot's workspace emulator, driven and checked through its control API
// (/_emulator/*). The scenario: start() resolves on hello; a message event injected through the
// control API arrives and is acked (the emulator records the ack); a refresh_requested disconnect
// makes the client reconnect with a new apps.connections.open URL, and a second event arrives and
// is acked; chat.postMessage in a thread and chat.update of that reply succeed and show in the
// emulator's thread; the bot's own reply comes back as a message event with bot_id.
//
// Input (environment): EMULATOR, the JSON line slack_emulator prints
// ({"api_url","base_url","bot_token","app_token"}). Exit 0 and "PASS" on success; exit 1 with
// "FAIL: <what>" on the first failed check. Waits are bounded polls, never fixed sleeps.
'use strict';

const { SocketModeClient, LogLevel } = require('@slack/socket-mode');
const { WebClient } = require('@slack/web-api');

const CHANNEL = 'C0SDKTEST';
const HUMAN = 'U0HUMAN01';
const WAIT_MS = 20000;  // longest single wait: a reconnect takes clientPingTimeout (5 s) by default
const LIMIT_MS = 90000; // the whole scenario

function fail(what) {
  console.error(`FAIL: ${what}`);
  process.exit(1);
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

let emulator;
try {
  emulator = JSON.parse(process.env.EMULATOR || '');
} catch (e) {
  fail(`EMULATOR must hold the JSON line printed by slack_emulator (${e.message})`);
}
for (const k of ['api_url', 'base_url', 'bot_token', 'app_token']) {
  if (typeof emulator[k] !== 'string' || emulator[k] === '') fail(`EMULATOR lacks ${k}`);
}

async function control(method, path, body) {
  const res = await fetch(emulator.base_url + path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

// Polls `probe` (async, returns a truthy value when done) every 20 ms, at most `limit` ms.
async function waitFor(what, probe, limit = WAIT_MS) {
  const end = Date.now() + limit;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${limit} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function delivery(eventId) {
  const { deliveries } = await control('GET', '/_emulator/deliveries');
  return deliveries.find((d) => d.event_id === eventId);
}

async function openSockets() {
  return (await control('GET', '/_emulator/sockets')).open;
}

async function main() {
  const received = [];  // {event, body, envelope_id, retry_num}
  const errors = [];
  let hellos = 0;
  const socket = new SocketModeClient({
    appToken: emulator.app_token,
    clientOptions: { slackApiUrl: emulator.api_url },
    logLevel: LogLevel.WARN,
  });
  socket.on('connected', () => { hellos += 1; });
  socket.on('error', (e) => errors.push(String(e)));
  socket.on('message', async ({ event, body, envelope_id, retry_num, ack }) => {
    received.push({ event, body, envelope_id, retry_num });
    await ack();
  });

  // 1. start() resolves only when hello arrives.
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('start() did not resolve: no hello?')), WAIT_MS));
  const opened = await Promise.race([socket.start(), timeout]);
  // 3.x resolves with the apps.connections.open answer; 2.x (the Node 18 set) resolves with nothing.
  const sdkMajor = parseInt(require('@slack/socket-mode/package.json').version, 10);
  if (sdkMajor >= 3) {
    check(opened && typeof opened.url === 'string' && opened.url.startsWith('ws://'), `start() resolved with ${JSON.stringify(opened)}`);
  }
  check(hellos === 1, `expected one hello, saw ${hellos}`);
  check(await openSockets() === 1, 'the emulator does not count the socket as open');

  // 2. An event injected through the control API arrives and is acked.
  const receiveAndAck = async (text) => {
    const { ts } = await control('POST', '/_emulator/messages', { channel: CHANNEL, user: HUMAN, text });
    const got = await waitFor(`the message event "${text}"`, () => received.find((r) => r.event.ts === ts));
    check(got.event.type === 'message' && got.event.channel === CHANNEL && got.event.user === HUMAN && got.event.text === text,
      `unexpected event ${JSON.stringify(got.event)}`);
    check(got.body.type === 'event_callback' && typeof got.body.event_id === 'string', `unexpected payload ${JSON.stringify(got.body)}`);
    check(got.retry_num === 0, `first delivery has retry_attempt ${got.retry_num}`);
    const d = await waitFor(`the ack of ${got.envelope_id}`, async () => {
      const x = await delivery(got.body.event_id);
      return x && x.acked ? x : null;
    });
    check(d.envelope_id === got.envelope_id && d.attempts === 1, `delivery ${JSON.stringify(d)}`);
    return ts;
  };
  const parentTs = await receiveAndAck('first event from a person');

  // 3. refresh_requested: the client closes the socket and reconnects with a fresh URL.
  await control('POST', '/_emulator/disconnect', { reason: 'refresh_requested' });
  await waitFor('a new hello after refresh_requested', () => hellos === 2);
  const opens = (await control('GET', '/_emulator/calls?method=apps.connections.open')).calls;
  check(opens.length === 2 && opens.every((c) => c.ok), `apps.connections.open calls: ${JSON.stringify(opens)}`);
  await waitFor('exactly one open socket after the refresh', async () => (await openSockets()) === 1);
  await receiveAndAck('second event, after the refresh');

  // 4. Web API: a reply in the thread, then an edit of it.
  const web = new WebClient(emulator.bot_token, { slackApiUrl: emulator.api_url });
  const me = await web.auth.test();
  check(me.ok && typeof me.bot_id === 'string', `auth.test: ${JSON.stringify(me)}`);
  const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Investigating* the alert' } }];
  const posted = await web.chat.postMessage({ channel: CHANNEL, thread_ts: parentTs, text: 'Investigating', blocks });
  check(posted.ok && typeof posted.ts === 'string' && posted.channel === CHANNEL, `chat.postMessage: ${JSON.stringify(posted)}`);
  const updated = await web.chat.update({ channel: CHANNEL, ts: posted.ts, text: 'Done: deploy 42 did it' });
  check(updated.ok && updated.ts === posted.ts && updated.text === 'Done: deploy 42 did it', `chat.update: ${JSON.stringify(updated)}`);
  const q = new URLSearchParams({ channel: CHANNEL, ts: parentTs });
  const { messages } = await control('GET', `/_emulator/thread?${q}`);
  check(messages.length === 2, `thread has ${messages.length} messages: ${JSON.stringify(messages)}`);
  const [parent, reply] = messages;
  check(parent.ts === parentTs && parent.user === HUMAN, `thread parent ${JSON.stringify(parent)}`);
  check(reply.ts === posted.ts && reply.thread_ts === parentTs && reply.text === 'Done: deploy 42 did it' && reply.edits === 1,
    `thread reply ${JSON.stringify(reply)}`);
  check(reply.bot_id === me.bot_id && reply.user === me.user_id, `reply author ${JSON.stringify(reply)}`);
  check(Array.isArray(reply.blocks) && reply.blocks[0].type === 'section', `blocks posted form-encoded were not kept: ${JSON.stringify(reply)}`);

  // 5. The bot's own reply comes back as a message event (bot_id, no subtype), and every
  // delivery ends acked on its first attempt.
  const echo = await waitFor('the echo of the bot reply', () => received.find((r) => r.event.ts === posted.ts && !r.event.subtype));
  check(echo.event.bot_id === me.bot_id && echo.event.thread_ts === parentTs, `echo ${JSON.stringify(echo.event)}`);
  await waitFor('every delivery acked', async () => {
    const { deliveries } = await control('GET', '/_emulator/deliveries');
    return deliveries.length >= 4 && deliveries.every((d) => d.acked);
  });
  const { deliveries } = await control('GET', '/_emulator/deliveries');
  check(deliveries.every((d) => d.attempts === 1), `redeliveries happened: ${JSON.stringify(deliveries)}`);
  check(errors.length === 0, `the SDK reported errors: ${errors.join('; ')}`);

  await socket.disconnect();
  console.log(`PASS: node SDK scenario (${deliveries.length} deliveries acked, ${hellos} hellos, ` +
    `socket-mode ${require('@slack/socket-mode/package.json').version}, web-api ${require('@slack/web-api/package.json').version})`);
}

const watchdog = setTimeout(() => fail(`scenario did not finish within ${LIMIT_MS} ms`), LIMIT_MS);
main().then(() => {
  clearTimeout(watchdog);
  process.exit(0);
}, (e) => fail(e && e.stack ? e.stack : String(e)));
